using System.Text;
using Gateway.Ssh.Keys;

using Gateway.Testing;

namespace Gateway.Ssh.Tests.Keys;

/// <summary>Keys made by the real ssh-keygen load, fingerprint, sign and verify.</summary>
public class KeygenKeyTests
{
    public static TheoryData<string, int, string> KeyTypes => new()
    {
        { "ed25519", 0, "ssh-ed25519" },
        { "ecdsa", 256, "ecdsa-sha2-nistp256" },
        { "ecdsa", 384, "ecdsa-sha2-nistp384" },
        { "ecdsa", 521, "ecdsa-sha2-nistp521" },
        { "rsa", 3072, "ssh-rsa" },
    };

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void Loads_key_and_fingerprint_matches_ssh_keygen(string type, int bits, string keyType)
    {
        using var dir = new TempDirectory();
        var path = dir.File("id");
        SshKeygen.CreateKey(path, type, bits, comment: "alice@example");

        using var key = SshKeys.LoadPrivateKey(File.ReadAllText(path));
        var pubLine = File.ReadAllText(path + ".pub").Trim();
        var pub = SshKeys.ParseAuthorizedKey(pubLine);

        Assert.Equal(keyType, key.PublicKey.KeyType);
        Assert.Equal(pub, key.PublicKey);
        Assert.Equal(SshKeygen.Fingerprint(path + ".pub"), SshKeys.Fingerprint(pub));
        Assert.Equal(SshKeygen.Fingerprint(path), SshKeys.Fingerprint(key.PublicKey));
        Assert.Equal(pubLine, SshKeys.FormatAuthorizedKey(pub, "alice@example"));
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void Signature_verifies_with_public_key_from_pub_file_and_tampering_fails(string type, int bits, string keyType)
    {
        using var dir = new TempDirectory();
        var path = dir.File("id");
        SshKeygen.CreateKey(path, type, bits);
        using var key = SshKeys.LoadPrivateKey(File.ReadAllText(path));
        var pub = SshKeys.ParseAuthorizedKey(File.ReadAllText(path + ".pub"));
        var data = Encoding.UTF8.GetBytes("exchange hash " + keyType);

        Assert.NotEmpty(key.SignatureAlgorithms);
        foreach (var algorithm in key.SignatureAlgorithms)
        {
            var signature = key.Sign(algorithm, data);
            Assert.True(pub.Verify(algorithm, data, signature), algorithm);

            var otherData = (byte[])data.Clone();
            otherData[0] ^= 1;
            Assert.False(pub.Verify(algorithm, otherData, signature));

            var badSignature = (byte[])signature.Clone();
            badSignature[^1] ^= 0x40;
            Assert.False(pub.Verify(algorithm, data, badSignature));

            Assert.False(pub.Verify(algorithm, data, signature.AsSpan(0, signature.Length - 1)));
            Assert.False(pub.Verify("ssh-dss", data, signature));
        }
    }

    [Fact]
    public void Rsa_key_signs_both_sha2_algorithms_and_each_verifies_only_under_its_own_name()
    {
        using var dir = new TempDirectory();
        var path = dir.File("id");
        SshKeygen.CreateKey(path, "rsa", 2048);
        using var key = SshKeys.LoadPrivateKey(File.ReadAllText(path));
        var data = "data"u8.ToArray();

        Assert.Equal(["rsa-sha2-512", "rsa-sha2-256"], key.SignatureAlgorithms);
        var sha512 = key.Sign("rsa-sha2-512", data);
        Assert.True(key.PublicKey.Verify("rsa-sha2-512", data, sha512));
        Assert.False(key.PublicKey.Verify("rsa-sha2-256", data, sha512));
        Assert.Throws<ArgumentException>(() => key.Sign("ssh-rsa", data));
    }

    [Fact]
    public void Passphrase_protected_key_is_refused_with_a_clear_message()
    {
        using var dir = new TempDirectory();
        var path = dir.File("id");
        SshKeygen.Ok("-q", "-t", "ed25519", "-N", "secret passphrase", "-f", path);

        var error = Assert.Throws<FormatException>(() => SshKeys.LoadPrivateKey(File.ReadAllText(path)));
        Assert.Contains("passphrase-protected keys are not supported", error.Message);
    }
}
