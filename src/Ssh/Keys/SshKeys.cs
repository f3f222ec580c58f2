using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Gateway.Ssh.Keys;

/// <summary>Entry points for parsing, formatting, loading, exporting and generating SSH keys.</summary>
public static class SshKeys
{
    /// <summary>
    /// Parses a public key blob (RFC 4253 §6.6, RFC 5656, RFC 8709, PROTOCOL.certkeys): ssh-ed25519,
    /// ecdsa-sha2-nistp256/384/521, ssh-rsa and their <c>*-cert-v01@openssh.com</c> certificates
    /// (returned as <see cref="SshCertificate"/>).
    /// </summary>
    /// <exception cref="SshProtocolException">The blob is malformed or of an unsupported type.</exception>
    public static SshPublicKey ParsePublicKey(ReadOnlySpan<byte> blob)
    {
        try
        {
            return SshPublicKeyParser.Parse(blob);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException or FormatException or OverflowException)
        {
            // Safety net: the parser should already have refused; never let another type reach the transport.
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"invalid public key: {e.Message}", e);
        }
    }

    public static bool TryParsePublicKey(ReadOnlySpan<byte> blob, out SshPublicKey? key)
    {
        try
        {
            key = ParsePublicKey(blob);
            return true;
        }
        catch (SshProtocolException)
        {
            key = null;
            return false;
        }
    }

    /// <summary>
    /// Parses one authorized_keys / <c>.pub</c> line, <c>type base64 [comment]</c>. Option prefixes
    /// (<c>from="…" ssh-ed25519 …</c>) are not supported.
    /// </summary>
    /// <exception cref="FormatException">The line is not a supported public key line; the message says why.</exception>
    public static SshPublicKey ParseAuthorizedKey(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var trimmed = line.Trim();
        if (trimmed.Length == 0) throw new FormatException("the public key line is empty");
        if (trimmed[0] == '#') throw new FormatException("the public key line is a comment");
        var parts = trimmed.Split([' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
        var type = parts[0];
        if (!IsKnownKeyType(type))
            throw new FormatException($"the line starts with '{PeerText.Sanitize(type)}', which is not a supported key type (ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa or their -cert-v01@openssh.com forms); authorized_keys options are not supported");
        if (parts.Length < 2) throw new FormatException($"the {type} line has no base64 key data");
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(parts[1]);
        }
        catch (FormatException)
        {
            throw new FormatException($"the {type} key data is not valid base64");
        }
        SshPublicKey key;
        try
        {
            key = ParsePublicKey(blob);
        }
        catch (SshProtocolException e)
        {
            throw new FormatException($"the {type} key data is invalid: {e.Message}", e);
        }
        if (key.KeyType != type)
            throw new FormatException($"the line says {type} but the key data holds a {key.KeyType} key");
        return key;
    }

    /// <summary>Formats <c>type base64 [comment]</c>, as in a <c>.pub</c> file (no trailing newline).</summary>
    public static string FormatAuthorizedKey(SshPublicKey key, string? comment = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var text = key.KeyType + " " + Convert.ToBase64String(key.Blob.Span);
        return string.IsNullOrEmpty(comment) ? text : text + " " + comment;
    }

    /// <summary>
    /// The SHA-256 fingerprint as <c>ssh-keygen -l</c> prints it: <c>SHA256:</c> + unpadded base64.
    /// Like OpenSSH (sshkey_fingerprint_raw hashes the plain form), a certificate's fingerprint is
    /// that of its certified key.
    /// </summary>
    public static string Fingerprint(SshPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var plain = key is SshCertificate cert ? cert.Key : key;
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(plain.Blob.Span, hash);
        return "SHA256:" + Convert.ToBase64String(hash).TrimEnd('=');
    }

    /// <summary>
    /// Loads a private key from PEM text: OpenSSH's format (unencrypted), PKCS#8 (<c>PRIVATE KEY</c>:
    /// RSA, ECDSA P-256/384/521, Ed25519), <c>RSA PRIVATE KEY</c> (PKCS#1) or <c>EC PRIVATE KEY</c> (SEC 1).
    /// </summary>
    /// <exception cref="FormatException">Unreadable, unsupported or passphrase-protected key.</exception>
    public static SshPrivateKey LoadPrivateKey(string pemText)
    {
        ArgumentNullException.ThrowIfNull(pemText);
        // PKCS#8 "ENCRYPTED PRIVATE KEY" and legacy PEM "Proc-Type: 4,ENCRYPTED"; OpenSSH's own format says so in its cipher field.
        if (pemText.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal) ||
            pemText.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal))
            throw new FormatException("the private key is passphrase-protected; passphrase-protected keys are not supported (remove the passphrase with 'ssh-keygen -p -N \"\" -f <file>')");
        var (label, base64) = FindPrivateKeyBlock(pemText);
        byte[] der;
        try
        {
            der = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new FormatException($"the {label} block is not valid base64");
        }
        try
        {
            return label switch
            {
                OpenSshPrivateKeyFormat.PemLabel => OpenSshPrivateKeyFormat.Read(der),
                "RSA PRIVATE KEY" => LoadRsa(rsa => rsa.ImportRSAPrivateKey(der, out _)),
                "EC PRIVATE KEY" => LoadEcdsa(ec => ec.ImportECPrivateKey(der, out _)),
                "PRIVATE KEY" => LoadPkcs8(der),
                _ => throw new FormatException($"unsupported PEM block '{label}' (expected a private key)"),
            };
        }
        catch (CryptographicException e)
        {
            throw new FormatException($"the {label} block could not be read: {e.Message}", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    /// <summary>Writes the key in OpenSSH's private key format (unencrypted), readable by <c>ssh-keygen</c>.</summary>
    public static string ExportPrivateKey(SshPrivateKey key, string comment = "")
    {
        ArgumentNullException.ThrowIfNull(key);
        return OpenSshPrivateKeyFormat.Write(key, comment ?? "");
    }

    /// <summary>Generates a new key; <paramref name="rsaBits"/> applies to RSA only (at least 2048).</summary>
    public static SshPrivateKey Generate(SshKeyKind kind, int rsaBits = 3072) => kind switch
    {
        SshKeyKind.Ed25519 => Ed25519PrivateKey.Generate(),
        SshKeyKind.EcdsaP256 or SshKeyKind.EcdsaP384 or SshKeyKind.EcdsaP521 => EcdsaPrivateKey.Generate(EcdsaCurve.FromKind(kind)),
        SshKeyKind.Rsa => RsaPrivateKey.Generate(rsaBits),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown key kind"),
    };

    /// <summary>
    /// The first PEM block whose label ends in "PRIVATE KEY"; blocks before it (openssl's
    /// "EC PARAMETERS") are skipped. The number of blocks looked at is bounded.
    /// </summary>
    private static (string Label, string Base64) FindPrivateKeyBlock(string pemText)
    {
        var rest = pemText.AsSpan();
        for (var block = 0; block < 8 && PemEncoding.TryFind(rest, out var fields); block++)
        {
            var label = rest[fields.Label].ToString();
            if (label.EndsWith("PRIVATE KEY", StringComparison.Ordinal)) return (label, rest[fields.Base64Data].ToString());
            rest = rest[fields.Location.End..];
        }
        throw new FormatException("no PEM private key block found (expected '-----BEGIN OPENSSH PRIVATE KEY-----' or another PEM private key)");
    }

    private static bool IsKnownKeyType(string type)
    {
        var plain = SshKeyAlgorithms.ToSignatureAlgorithm(type);
        return plain is SshKeyAlgorithms.Ed25519 or SshKeyAlgorithms.Rsa || EcdsaCurve.FromKeyType(plain) is not null;
    }

    private static SshPrivateKey LoadRsa(Action<RSA> import)
    {
        var rsa = RSA.Create();
        try
        {
            import(rsa);
            return new RsaPrivateKey(rsa);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    private static SshPrivateKey LoadEcdsa(Action<ECDsa> import)
    {
        var ec = ECDsa.Create();
        try
        {
            import(ec);
            return new EcdsaPrivateKey(ec);
        }
        catch (ArgumentException e)
        {
            ec.Dispose();
            throw new FormatException(e.Message, e);
        }
        catch
        {
            ec.Dispose();
            throw;
        }
    }

    /// <summary>PKCS#8: .NET reads RSA and EC; Ed25519 (OID 1.3.101.112) goes through BouncyCastle.</summary>
    private static SshPrivateKey LoadPkcs8(byte[] der)
    {
        try
        {
            return LoadRsa(rsa => rsa.ImportPkcs8PrivateKey(der, out _));
        }
        catch (CryptographicException)
        {
        }
        try
        {
            return LoadEcdsa(ec => ec.ImportPkcs8PrivateKey(der, out _));
        }
        catch (CryptographicException)
        {
        }
        try
        {
            if (PrivateKeyFactory.CreateKey(der) is Ed25519PrivateKeyParameters ed)
                return new Ed25519PrivateKey(ed.GetEncoded());
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or SecurityUtilityException)
        {
            throw new FormatException($"the PKCS#8 private key could not be read: {e.Message}", e);
        }
        throw new FormatException("the PKCS#8 private key is not RSA, ECDSA P-256/384/521 or Ed25519");
    }
}
