using Gateway.Policy;
using static Gateway.Policy.Tests.PolicyTestData;

namespace Gateway.Policy.Tests;

public class PolicySshKeyTests
{
    [Theory]
    [InlineData(KeyA, "ssh-ed25519")]
    [InlineData(EcKey, "ecdsa-sha2-nistp256")]
    [InlineData(RsaKey, "ssh-rsa")]
    [InlineData(CertA, "ssh-ed25519-cert-v01@openssh.com")]
    public void Parses_authorized_key_lines(string line, string type)
    {
        var key = PolicySshKey.ParseAuthorizedKey(line);
        Assert.Equal(type, key.Type);
        Assert.Equal(line.Split(' ')[1], key.Base64);
        Assert.Equal(key, PolicySshKey.FromBlob(key.Blob));
        Assert.Equal(key, PolicySshKey.FromBase64(type, key.Base64));
    }

    [Fact]
    public void Equality_is_type_and_blob_only()
    {
        var plain = PolicySshKey.ParseAuthorizedKey(KeyA);
        var withOptions = PolicySshKey.ParseAuthorizedKey("restrict,command=\"echo hi there\" " + KeyA.Replace("a@test", "other comment"));
        Assert.Equal(plain, withOptions);
        Assert.Equal(plain.GetHashCode(), withOptions.GetHashCode());
        Assert.NotEqual(plain, PolicySshKey.ParseAuthorizedKey(KeyB));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ssh-ed25519")]
    [InlineData("ssh-ed25519 %%%%")]
    [InlineData("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIIjiDCSEY7HPRWs0QPU/3iJx1CFFbZa05qsrZieb4SoG")]
    [InlineData("AAAAC3NzaC1lZDI1NTE5AAAAIIjiDCSEY7HPRWs0QPU/3iJx1CFFbZa05qsrZieb4SoG")]
    public void Rejects_malformed_lines(string line)
    {
        Assert.False(PolicySshKey.TryParseAuthorizedKey(line, out _));
        Assert.Throws<FormatException>(() => PolicySshKey.ParseAuthorizedKey(line));
    }

    [Fact]
    public void Rejects_blob_that_is_not_a_key()
    {
        Assert.False(PolicySshKey.TryFromBlob([0, 0, 0], out _));
        Assert.False(PolicySshKey.TryFromBlob([0, 0, 0, 200, 1, 2], out _));
    }
}
