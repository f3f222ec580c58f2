using Gateway.Ssh.Auth;
using Gateway.Ssh.Connection;
using Gateway.Ssh.Transport;

namespace Gateway.Ssh.Server;

/// <summary>Everything an <see cref="SshServer"/> needs: the three layers' options and listener limits.</summary>
public sealed class SshServerOptions
{
    public required SshTransportOptions Transport { get; init; }
    public required SshServerAuthOptions Authentication { get; init; }
    public SshConnectionOptions Connection { get; init; } = new();

    /// <summary>Open connections at most; further ones are closed at once (OpenSSH's MaxStartups/MaxSessions spirit).</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Connections still in version exchange, key exchange or authentication at most.</summary>
    public int MaxUnauthenticatedConnections { get; init; } = 256;
}
