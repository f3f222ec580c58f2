using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Auth;

public sealed class SshServerAuthOptions
{
    public required ISshServerAuthenticator Authenticator { get; init; }

    /// <summary>CA keys whose user certificates are accepted (OpenSSH TrustedUserCAKeys).</summary>
    public IReadOnlyCollection<SshPublicKey> TrustedUserCaKeys { get; init; } = [];

    /// <summary>OpenSSH MaxAuthTries: reaching it ends the connection with "Too many authentication failures".</summary>
    public int MaxAuthFailures { get; init; } = 6;

    /// <summary>Bound on all requests, including "none" and publickey queries.</summary>
    public int MaxAuthAttempts { get; init; } = 64;

    /// <summary>OpenSSH LoginGraceTime: authentication must finish within this.</summary>
    public TimeSpan LoginGraceTime { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Sent once (USERAUTH_BANNER) before the first reply, when set.</summary>
    public string? Banner { get; init; }

    /// <summary>Interval of SSH_MSG_IGNORE sent while a callback is deciding (keeps client read timeouts alive).</summary>
    public TimeSpan KeyboardInteractiveHeartbeat { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Diagnostics: why a key or certificate was refused, failures, the outcome. Peer text is escaped.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Time source for certificate validity (tests).</summary>
    public Func<DateTimeOffset> Clock { get; init; } = () => DateTimeOffset.UtcNow;
}
