using static Gateway.Policy.Tests.PolicyTestData;

namespace Gateway.Policy.Tests;

/// <summary>
/// ssh_publickey / ssh_ca read their lines with the SSH library's authorized_keys parser; the line
/// format itself is tested in Ssh.Tests (AuthorizedKeyTests). These pin what policy makes of it.
/// </summary>
public class SshKeyCriterionTests
{
    [Theory]
    [InlineData(KeyA)]
    [InlineData(EcKey)]
    [InlineData(RsaKey)]
    [InlineData(CertA)]
    [InlineData(SecurityKey)]
    public void Every_readable_key_type_compiles(string line)
    {
        PolicyParser.ParseJson(Single("ssh_publickey", Q(line)));
        PolicyParser.ParseJson(Single("ssh_ca", Q(line)));
    }

    [Fact]
    public void A_security_key_is_compared_by_blob_and_never_matches_another_key()
    {
        var policy = Single("ssh_publickey", $"[{Q(SecurityKey)}]");
        Assert.False(Admits(policy, AliceSsh));
        Assert.True(Admits(Single("ssh_publickey", $"[{Q(SecurityKey)},{Q(KeyA)}]"), AliceSsh));
    }

    [Fact]
    public void Quoted_option_values_may_hold_blanks_and_escaped_quotes()
    {
        var line = "restrict,command=\"echo \\\"hi there\\\"\" " + KeyA.Replace("a@test", "other comment");
        Assert.True(Admits(Single("ssh_publickey", Q(line)), AliceSsh));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ssh-ed25519")]
    [InlineData("ssh-ed25519 %%%%")]
    [InlineData("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIIjiDCSEY7HPRWs0QPU/3iJx1CFFbZa05qsrZieb4SoG")]
    [InlineData("AAAAC3NzaC1lZDI1NTE5AAAAIIjiDCSEY7HPRWs0QPU/3iJx1CFFbZa05qsrZieb4SoG")]
    [InlineData("no-such-option ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIjiDCSEY7HPRWs0QPU/3iJx1CFFbZa05qsrZieb4SoG")]
    [InlineData("sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAHzK1btUzSKhYfzDJDlxkBt+V07irETCx2mK89JKo7YoAAAAEc3NoOg==")]
    public void Malformed_lines_are_parse_errors(string line)
    {
        var error = Assert.Throws<PolicyParseException>(() => PolicyParser.ParseJson(Single("ssh_publickey", Q(line))));
        Assert.Contains("not a valid SSH public key", error.Message);
    }
}
