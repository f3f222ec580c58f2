using System.Net;

namespace Gateway.Ssh.Auth;

/// <summary>Where one connection's authentication stands, as handed to <see cref="ISshServerAuthenticator"/>.</summary>
public sealed class SshAuthState
{
    internal SshAuthState(string username, string service, EndPoint? remoteEndPoint, IReadOnlyList<string> methodsPassed, int failures, int attempts,
        object? identity = null, Keys.SshPublicKey? publicKey = null)
    {
        Identity = identity;
        PublicKey = publicKey;
        Username = username;
        Service = service;
        RemoteEndPoint = remoteEndPoint;
        MethodsPassed = methodsPassed;
        Failures = failures;
        Attempts = attempts;
    }

    public string Username { get; }
    public string Service { get; }
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>Methods that already ended in partial success, in order (e.g. <c>["publickey"]</c>).</summary>
    public IReadOnlyList<string> MethodsPassed { get; }

    /// <summary>Failed attempts so far (those counted against <see cref="SshServerAuthOptions.MaxAuthFailures"/>).</summary>
    public int Failures { get; }

    /// <summary>Requests received so far, including this one.</summary>
    public int Attempts { get; }

    /// <summary>
    /// The identity object the last partial success gave (null before one): what a later method
    /// (e.g. keyboard-interactive after publickey) continues from.
    /// </summary>
    public object? Identity { get; }

    /// <summary>The plain key whose publickey request passed with a verified signature (partial success), if any.</summary>
    public Keys.SshPublicKey? PublicKey { get; }
}
