using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Tests.Keys;

/// <summary>The authorized_keys line format of sshd(8): options, key type, base64 blob, comment.</summary>
public sealed class AuthorizedKeyTests : IDisposable
{
    private const string SecurityEd25519 = "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIDK1btUzSKhYfzDJDlxkBt+V07irETCx2mK89JKo7YpjAAAABHNzaDo= yubikey";
    private const string SecurityEcdsa = "sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3BlbnNzaC5jb20AAAAIbmlzdHAyNTYAAABBBC1xFkK3JrBEAWJ8qfusMvXIUw+xkDzE2wIlhxeSGkiBofzkNjhU/4iM/0uOeHXWAMJoI5BBKoz3mzfQsRFIsPoAAAAEc3NoOg==";

    private readonly SshPrivateKey _key = SshKeys.Generate(SshKeyKind.Ed25519);

    public void Dispose() => _key.Dispose();

    private string Line => SshKeys.FormatAuthorizedKey(_key.PublicKey);

    [Fact]
    public void Options_are_split_on_commas_outside_quotes_and_values_are_unescaped()
    {
        var key = AuthorizedKey.Parse($"restrict,command=\"echo \\\"a, b\\\" c\",FROM=\"10.0.0.0/8,!10.1.0.0/16\",no-x11-forwarding {Line} me@host");
        Assert.Equal(
            [new("restrict", null), new("command", "echo \"a, b\" c"), new("from", "10.0.0.0/8,!10.1.0.0/16"), new AuthorizedKeyOption("no-X11-forwarding", null)],
            key.Options);
        Assert.Equal(SshKeyAlgorithms.Ed25519, key.KeyType);
        Assert.Equal(_key.PublicKey, key.PublicKey);
        Assert.Equal("me@host", key.Comment);
        Assert.True(key.Matches(_key.PublicKey));
    }

    [Fact]
    public void Writes_back_what_it_read()
    {
        var line = $"cert-authority,principals=\"a,\\\"b\\\"\" {Line} the comment";
        Assert.Equal(line, AuthorizedKey.Parse(line).ToString());
        Assert.Equal(Line, AuthorizedKey.Parse(Line).ToString());
    }

    [Theory]
    [InlineData("no-pty=\"x\" KEY", "option \"no-pty\" takes no value")]
    [InlineData("from KEY", "option \"from\" needs a value")]
    [InlineData("from=10.0.0.1 KEY", "must be in double quotes")]
    [InlineData("command=\"unterminated KEY", "unknown key type")]
    [InlineData("bogus KEY", "unknown option \"bogus\"")]
    [InlineData("from=\"x\"y KEY", "expected ',' or a blank after option \"from\"")]
    [InlineData("no-pty", "unknown key type \"no-pty\"")]
    [InlineData("cert-authority garbage", "unknown key type \"garbage\"")]
    public void Bad_options_are_named(string template, string expected)
    {
        var error = Assert.Throws<FormatException>(() => AuthorizedKey.Parse(template.Replace("KEY", Line, StringComparison.Ordinal)));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData(SecurityEd25519, "sk-ssh-ed25519@openssh.com")]
    [InlineData(SecurityEcdsa, "sk-ecdsa-sha2-nistp256@openssh.com")]
    public void Security_keys_are_read_but_have_no_verifiable_key(string line, string type)
    {
        var key = AuthorizedKey.Parse("no-touch-required " + line);
        Assert.Equal(type, key.KeyType);
        Assert.True(key.IsSecurityKey);
        Assert.Null(key.PublicKey);
        Assert.False(key.Matches(_key.PublicKey));
        Assert.Equal(line.Split(' ')[1], key.Base64);
    }

    [Fact]
    public void A_security_key_blob_with_a_short_public_key_is_refused()
    {
        var error = Assert.Throws<FormatException>(() => AuthorizedKey.Parse(
            "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAHzK1btUzSKhYfzDJDlxkBt+V07irETCx2mK89JKo7YoAAAAEc3NoOg=="));
        Assert.Contains("key data is invalid", error.Message);
    }

    [Fact]
    public void Truncated_blob_and_unknown_types_are_refused()
    {
        Assert.Contains("truncated", Assert.Throws<FormatException>(() => AuthorizedKey.Parse("ssh-ed25519 AAAA")).Message);
        var unknown = Assert.Throws<FormatException>(() => AuthorizedKey.Parse("sk-ssh-ed25519-cert-v01@openssh.com AAAA")).Message;
        Assert.Contains("unknown key type", unknown);
        Assert.Contains("sk-ecdsa-sha2-nistp256@openssh.com", unknown);
    }

    [Fact]
    public void Every_listed_type_is_verifiable_or_a_security_key()
    {
        Assert.Equal(12, AuthorizedKey.KeyTypes.Count);
        Assert.All(AuthorizedKey.KeyTypes, type =>
            Assert.True(SshKeyAlgorithms.IsVerifiableKeyType(type) ^ SshKeyAlgorithms.SecurityKeyTypes.Contains(type)));
    }
}
