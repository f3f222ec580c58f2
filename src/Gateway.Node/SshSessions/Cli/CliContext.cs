using Gateway.Actors.Sessions;

namespace Gateway.Node.SshSessions.Cli;

/// <summary>
/// What the internal commands of one SSH connection read: who signed in and how, the routes the
/// connection's <c>ssh_policy</c> admissions were decided for, the cluster's view of those routes,
/// and the connection's forwards (asked of its session actor when a command needs them).
/// </summary>
/// <param name="SessionId">the connection's session id, as the status stream and the node log name it</param>
/// <param name="ClientAddress">the client's ip:port</param>
/// <param name="SshUsername">the user name the client sent (OpenSSH: the local login name unless <c>user@</c> is given); not an identity</param>
/// <param name="Forwards">this connection's forwards and the routes each serves, bounded in time by its implementation</param>
/// <param name="SignIn">the cluster's sign-in records (null without sign-in): what <c>logout</c> ends</param>
public sealed record CliContext(
    string SessionId,
    string ClientAddress,
    string SshUsername,
    GatewayIdentity Identity,
    IReadOnlyList<RouteAdmission> Admissions,
    ClusterRouteView Routes,
    Func<CancellationToken, Task<SessionStatus>> Forwards,
    Gateway.Actors.SignIn.ISignInStore? SignIn = null);
