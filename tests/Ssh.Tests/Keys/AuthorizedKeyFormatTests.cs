using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Tests.Keys;

/// <summary>Parsing and formatting authorized_keys / .pub lines.</summary>
public sealed class AuthorizedKeyFormatTests : IDisposable
{
    private readonly SshPrivateKey _key = SshKeys.Generate(SshKeyKind.EcdsaP384);

    public void Dispose() => _key.Dispose();

    [Fact]
    public void Round_trips_with_and_without_comment_and_with_tabs()
    {
        var line = SshKeys.FormatAuthorizedKey(_key.PublicKey, "bob@host with spaces");
        Assert.StartsWith("ecdsa-sha2-nistp384 ", line);
        Assert.EndsWith(" bob@host with spaces", line);
        Assert.Equal(_key.PublicKey, SshKeys.ParseAuthorizedKey(line));
        Assert.Equal(_key.PublicKey, SshKeys.ParseAuthorizedKey(SshKeys.FormatAuthorizedKey(_key.PublicKey)));
        Assert.Equal(_key.PublicKey, SshKeys.ParseAuthorizedKey("  " + line.Replace(' ', '\t') + "\r\n"));
    }

    [Fact]
    public void Options_prefix_is_read_and_the_key_returned()
    {
        // As sshd(8) reads authorized_keys: options first, then the key.
        Assert.Equal(_key.PublicKey, SshKeys.ParseAuthorizedKey("from=\"10.0.0.1\" " + SshKeys.FormatAuthorizedKey(_key.PublicKey)));
    }

    [Fact]
    public void Type_that_disagrees_with_the_blob_is_refused()
    {
        var base64 = SshKeys.FormatAuthorizedKey(_key.PublicKey).Split(' ')[1];
        var error = Assert.Throws<FormatException>(() => SshKeys.ParseAuthorizedKey("ssh-ed25519 " + base64));
        Assert.Contains("the key blob says \"ecdsa-sha2-nistp384\" but the line says \"ssh-ed25519\"", error.Message);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("# comment", "comment")]
    [InlineData("ssh-ed25519", "no base64")]
    [InlineData("ssh-ed25519 !!!notbase64", "not valid base64")]
    [InlineData("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==", "invalid")]
    [InlineData("ssh-dss AAAAB3NzaC1kc3MAAACBAP", "unknown key type \"ssh-dss\"")]
    [InlineData("sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIDK1btUzSKhYfzDJDlxkBt+V07irETCx2mK89JKo7YpjAAAABHNzaDo=", "cannot be verified")]
    public void Bad_lines_give_clear_messages(string line, string expected)
    {
        Assert.Contains(expected, Assert.Throws<FormatException>(() => SshKeys.ParseAuthorizedKey(line)).Message);
    }

    [Fact]
    public void Fingerprint_is_unpadded_base64_of_sha256()
    {
        var fingerprint = SshKeys.Fingerprint(_key.PublicKey);
        Assert.StartsWith("SHA256:", fingerprint);
        Assert.Equal(7 + 43, fingerprint.Length);
        Assert.DoesNotContain('=', fingerprint);
        var expected = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(_key.PublicKey.Blob.Span)).TrimEnd('=');
        Assert.Equal("SHA256:" + expected, fingerprint);
    }

    [Theory]
    [InlineData("rsa-sha2-512-cert-v01@openssh.com", "rsa-sha2-512")]
    [InlineData("ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519")]
    [InlineData("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256")]
    public void Certificate_algorithm_names_map_to_signature_algorithms(string algorithm, string expected)
    {
        Assert.Equal(expected, SshKeyAlgorithms.ToSignatureAlgorithm(algorithm));
        Assert.Equal(SshKeyAlgorithms.ToCertificateAlgorithm(expected), SshKeyAlgorithms.ToCertificateAlgorithm(algorithm));
    }
}
