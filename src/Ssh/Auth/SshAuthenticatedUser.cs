using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Auth;

/// <summary>The outcome of a successful server-side authentication.</summary>
public sealed class SshAuthenticatedUser
{
    internal SshAuthenticatedUser(string username, IReadOnlyList<string> methods, SshPublicKey? publicKey, SshCertificate? certificate,
        object? identity, IReadOnlyDictionary<string, string> properties)
    {
        Username = username;
        Methods = methods;
        PublicKey = publicKey;
        Certificate = certificate;
        Identity = identity;
        Properties = properties;
        Permissions = SshUserPermissions.For(certificate);
    }

    public string Username { get; }

    /// <summary>Every method that passed, in order (the last one gave full success).</summary>
    public IReadOnlyList<string> Methods { get; }

    /// <summary>The plain public key that passed publickey (the certified key for a certificate), if any.</summary>
    public SshPublicKey? PublicKey { get; }

    public SshCertificate? Certificate { get; }
    public object? Identity { get; }
    public IReadOnlyDictionary<string, string> Properties { get; }

    /// <summary>What the credential permits (a certificate's <c>permit-*</c> extensions); enforced by <see cref="Server.SshServer"/>.</summary>
    public SshUserPermissions Permissions { get; }
}
