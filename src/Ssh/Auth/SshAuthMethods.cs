namespace Gateway.Ssh.Auth;

/// <summary>Authentication method names (RFC 4252 §5, RFC 4256) this library implements.</summary>
public static class SshAuthMethods
{
    public const string None = "none";
    public const string PublicKey = "publickey";
    public const string KeyboardInteractive = "keyboard-interactive";

    /// <summary>The only service a user may authenticate for (RFC 4254).</summary>
    public const string ConnectionService = "ssh-connection";

    internal static bool IsImplemented(string method) =>
        method is PublicKey or KeyboardInteractive;
}
