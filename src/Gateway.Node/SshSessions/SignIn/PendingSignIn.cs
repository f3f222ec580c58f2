using Gateway.Ssh.Keys;

namespace Gateway.Node.SshSessions.SignIn;

/// <summary>
/// One connection whose key passed publickey but has no valid sign-in yet (the partial success's
/// identity): keyboard-interactive continues from it. Once its wait was refused or timed out,
/// <see cref="Ended"/> makes the gateway offer no further method, so the client disconnects
/// instead of asking for a new code.
/// </summary>
public sealed class PendingSignIn(SshPublicKey key)
{
    public SshPublicKey Key { get; } = key;

    /// <summary>OpenSSH's <c>SHA256:...</c> fingerprint: what a sign-in gets bound to.</summary>
    public string Fingerprint { get; } = SshKeys.Fingerprint(key);

    private volatile bool _ended;

    public bool Ended
    {
        get => _ended;
        set => _ended = value;
    }
}
