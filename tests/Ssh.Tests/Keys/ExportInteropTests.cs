using Gateway.Ssh.Keys;

using Gateway.Testing;

namespace Gateway.Ssh.Tests.Keys;

/// <summary>Keys we generate and export are read by the real ssh-keygen.</summary>
public class ExportInteropTests
{
    public static TheoryData<SshKeyKind, string> Kinds => new()
    {
        { SshKeyKind.Ed25519, "ssh-ed25519" },
        { SshKeyKind.EcdsaP256, "ecdsa-sha2-nistp256" },
        { SshKeyKind.EcdsaP384, "ecdsa-sha2-nistp384" },
        { SshKeyKind.EcdsaP521, "ecdsa-sha2-nistp521" },
        { SshKeyKind.Rsa, "ssh-rsa" },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Exported_key_is_accepted_by_ssh_keygen(SshKeyKind kind, string keyType)
    {
        using var dir = new TempDirectory();
        using var key = SshKeys.Generate(kind, rsaBits: 2048);
        Assert.Equal(keyType, key.PublicKey.KeyType);
        var path = dir.WritePrivate("exported", SshKeys.ExportPrivateKey(key, "gateway host key"));

        var printed = SshKeygen.Ok("-y", "-f", path).Trim();
        Assert.Equal(SshKeys.FormatAuthorizedKey(key.PublicKey, "gateway host key"), printed);
        Assert.Equal(SshKeys.Fingerprint(key.PublicKey), SshKeygen.Fingerprint(path));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Exported_key_reloads_and_signs_identically_verifiable(SshKeyKind kind, string keyType)
    {
        using var key = SshKeys.Generate(kind, rsaBits: 2048);
        using var reloaded = SshKeys.LoadPrivateKey(SshKeys.ExportPrivateKey(key));
        Assert.Equal(keyType, reloaded.PublicKey.KeyType);
        Assert.Equal(key.PublicKey, reloaded.PublicKey);
        var data = "payload"u8.ToArray();
        foreach (var algorithm in reloaded.SignatureAlgorithms)
            Assert.True(key.PublicKey.Verify(algorithm, data, reloaded.Sign(algorithm, data)));
    }

    [Fact]
    public void Key_re_exported_by_ssh_keygen_after_changing_its_comment_still_loads()
    {
        using var dir = new TempDirectory();
        using var key = SshKeys.Generate(SshKeyKind.Ed25519);
        var path = dir.WritePrivate("exported", SshKeys.ExportPrivateKey(key, "before"));

        // ssh-keygen -c parses our file fully (including the private section) and writes its own.
        SshKeygen.Ok("-q", "-c", "-C", "after", "-f", path);
        using var rewritten = SshKeys.LoadPrivateKey(File.ReadAllText(path));
        Assert.Equal(key.PublicKey, rewritten.PublicKey);
    }

    [Fact]
    public void Generate_refuses_small_rsa_keys()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SshKeys.Generate(SshKeyKind.Rsa, rsaBits: 1024));
    }
}
