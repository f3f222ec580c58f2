using Gateway.Ssh.Keys;

namespace Gateway.Node.SshSessions.Cli;

/// <summary>A key's type as OpenSSH prints it beside a fingerprint (<c>ED25519</c>, <c>ECDSA-SK</c>, <c>RSA-CERT</c>).</summary>
public static class KeyTypeLabel
{
    public static string Of(SshPublicKey key, bool certificate = false)
    {
        ArgumentNullException.ThrowIfNull(key);
        var type = key is SshCertificate cert ? cert.Key.KeyType : key.KeyType;
        var label = type switch
        {
            "ssh-ed25519" => "ED25519",
            "ssh-rsa" => "RSA",
            "sk-ssh-ed25519@openssh.com" => "ED25519-SK",
            "sk-ecdsa-sha2-nistp256@openssh.com" => "ECDSA-SK",
            _ when type.StartsWith("ecdsa-sha2-", StringComparison.Ordinal) => "ECDSA",
            _ => type,
        };
        return certificate || key is SshCertificate ? label + "-CERT" : label;
    }
}
