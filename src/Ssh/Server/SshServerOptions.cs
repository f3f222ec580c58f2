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

    /// <summary>Open connections at most; further ones are closed at once.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>
    /// Random early drop of connections not yet authenticated (version exchange, key exchange or
    /// authentication in progress), OpenSSH's default 10:30:100.
    /// </summary>
    public MaxStartups MaxStartups { get; init; } = MaxStartups.Default;

    /// <summary>
    /// Connections not yet authenticated from one source address at most; more are closed at once.
    /// OpenSSH has no limit by default; an internet-facing server should have one. The default,
    /// 10, is <see cref="MaxStartups"/>' default start: one address alone can bring others only
    /// to the lowest drop rate, never lock them out.
    /// </summary>
    public int PerSourceMaxStartups { get; init; } = 10;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Transport);
        ArgumentNullException.ThrowIfNull(Authentication);
        ArgumentNullException.ThrowIfNull(Connection);
        if (MaxConnections < 1) throw new ArgumentOutOfRangeException(nameof(MaxConnections));
        if (PerSourceMaxStartups < 1) throw new ArgumentOutOfRangeException(nameof(PerSourceMaxStartups));
        if (MaxStartups.Start < 1) throw new ArgumentOutOfRangeException(nameof(MaxStartups), "MaxStartups must be set (start at least 1)");
        if (Authentication.LoginGraceTime <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Authentication), "LoginGraceTime must be positive");
    }
}
