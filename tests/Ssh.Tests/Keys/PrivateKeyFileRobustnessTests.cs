using CsCheck;
using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Tests.Keys;

/// <summary>Damaged private key files fail with FormatException, never another exception type.</summary>
public class PrivateKeyFileRobustnessTests
{
    private static void LoadsOrFormatException(string pem)
    {
        try
        {
            using var key = SshKeys.LoadPrivateKey(pem);
        }
        catch (FormatException)
        {
        }
    }

    private static string Pem(string label, byte[] body) =>
        $"-----BEGIN {label}-----\n{Convert.ToBase64String(body)}\n-----END {label}-----\n";

    private static byte[] Body(string pem)
    {
        var fields = System.Security.Cryptography.PemEncoding.Find(pem);
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }

    [Theory]
    [InlineData(SshKeyKind.Ed25519)]
    [InlineData(SshKeyKind.EcdsaP256)]
    [InlineData(SshKeyKind.Rsa)]
    public void Mutated_openssh_private_key_bodies(SshKeyKind kind)
    {
        using var key = SshKeys.Generate(kind, 2048);
        var body = Body(SshKeys.ExportPrivateKey(key, "c"));
        Gen.Select(Gen.Int[0, 100_000], Gen.Byte, Gen.Int[0, 2]).Array[1, 3].Sample(edits =>
        {
            var mutated = new List<byte>(body);
            foreach (var (position, value, kindOfEdit) in edits)
            {
                var at = position % mutated.Count;
                if (kindOfEdit == 0) mutated[at] = value;
                else if (kindOfEdit == 1) mutated.RemoveRange(at, mutated.Count - at);
                else mutated.Insert(at, value);
                if (mutated.Count == 0) mutated.Add(value);
            }
            LoadsOrFormatException(Pem("OPENSSH PRIVATE KEY", [.. mutated]));
        }, iter: 400);
    }

    [Theory]
    [InlineData("PRIVATE KEY")]
    [InlineData("RSA PRIVATE KEY")]
    [InlineData("EC PRIVATE KEY")]
    [InlineData("OPENSSH PRIVATE KEY")]
    public void Random_bodies_under_every_label(string label)
    {
        Gen.Byte.Array[1, 400].Sample(body => LoadsOrFormatException(Pem(label, body)), iter: 500);
    }

    [Fact]
    public void Certified_key_exports_its_plain_key()
    {
        using var ca = SshKeys.Generate(SshKeyKind.Ed25519);
        var inner = SshKeys.Generate(SshKeyKind.EcdsaP256);
        var cert = (SshCertificate)SshKeys.ParsePublicKey(new CertificateBuilder(inner.PublicKey, ca).Build());
        using var certified = new SshCertifiedPrivateKey(inner, cert);
        using var reloaded = SshKeys.LoadPrivateKey(SshKeys.ExportPrivateKey(certified));
        Assert.Equal(inner.PublicKey, reloaded.PublicKey);
    }

    [Fact]
    public void Pkcs8_encrypted_key_is_refused_as_passphrase_protected()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var pem = rsa.ExportEncryptedPkcs8PrivateKeyPem("pw", new System.Security.Cryptography.PbeParameters(
            System.Security.Cryptography.PbeEncryptionAlgorithm.Aes128Cbc, System.Security.Cryptography.HashAlgorithmName.SHA256, 1000));
        Assert.Contains("passphrase-protected", Assert.Throws<FormatException>(() => SshKeys.LoadPrivateKey(pem)).Message);
    }
}
