namespace Gateway.Config;

/// <summary>
/// The SSH algorithm names the gateway implements, and the default preference order.
/// Config lists are checked against the known names so a typo fails at start rather than
/// as an opaque negotiation failure with the first client.
/// </summary>
public static class SshAlgorithms
{
    public static readonly IReadOnlyList<string> DefaultKex =
        ["mlkem768x25519-sha256", "curve25519-sha256", "curve25519-sha256@libssh.org"];

    public static readonly IReadOnlyList<string> KnownKex = [.. DefaultKex, "ecdh-sha2-nistp256"];

    public static readonly IReadOnlyList<string> DefaultCiphers =
    [
        "chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com",
        "aes256-ctr", "aes128-ctr",
    ];

    public static readonly IReadOnlyList<string> KnownCiphers = DefaultCiphers;

    public static readonly IReadOnlyList<string> DefaultMacs =
        ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com"];

    public static readonly IReadOnlyList<string> KnownMacs = DefaultMacs;

    public static readonly IReadOnlyList<string> DefaultHostKeyAlgorithms =
        ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256"];

    public static readonly IReadOnlyList<string> KnownHostKeyAlgorithms = DefaultHostKeyAlgorithms;
}
