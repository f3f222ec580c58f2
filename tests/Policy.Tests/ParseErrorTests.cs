using Gateway.Policy;
using static Gateway.Policy.Tests.PolicyTestData;

namespace Gateway.Policy.Tests;

/// <summary>Each kind of bad policy is rejected with the path of the offending node.</summary>
public class ParseErrorTests
{
    private static readonly Dictionary<string, (string Json, string Path, string DetailStart)> Cases = new()
    {
        ["unknown criterion"] = ("""{"allow":{"or":[{"email":"a@b"},{"emial":"x"}]}}""", "allow.or[1].emial", "unknown criterion \"emial\""),
        ["unknown action"] = ("""{"permit":{"or":[]}}""", "permit", "unknown action \"permit\""),
        ["unknown operator"] = ("""{"allow":{"andd":[]}}""", "allow.andd", "unknown operator \"andd\""),
        ["action body not an object"] = ("""{"allow":[{"accept":true}]}""", "allow", "expected an object with and, or, not or nor, got list"),
        ["operator not a list"] = ("""{"deny":{"and":{"accept":true}}}""", "deny.and", "expected a list of criteria, got object"),
        ["criterion not an object"] = ("""{"allow":{"and":["accept"]}}""", "allow.and[0]", "expected a criterion object"),
        ["criterion with two keys"] = ("""{"allow":{"and":[{"accept":true,"reject":true}]}}""", "allow.and[0]", "a criterion must have exactly one key, got 2"),
        ["criterion with no key"] = ("""{"allow":{"and":[{}]}}""", "allow.and[0]", "a criterion must have exactly one key, got 0"),
        ["unknown string matcher"] = ("""{"allow":{"and":[{"email":{"iss":"x"}}]}}""", "allow.and[0].email.iss", "unknown string matcher operator \"iss\""),
        ["list operator on a string criterion"] = ("""{"allow":{"and":[{"email":{"has":"x"}}]}}""", "allow.and[0].email.has", "unknown string matcher operator \"has\""),
        ["unknown list matcher"] = ("""{"allow":{"and":[{"groups":{"contains":"x"}}]}}""", "allow.and[0].groups.contains", "unknown string list matcher operator \"contains\""),
        ["empty matcher"] = ("""{"allow":{"and":[{"email":{}}]}}""", "allow.and[0].email", "empty matcher"),
        ["list where a string is expected"] = ("""{"allow":{"and":[{"email":["a@b"]}]}}""", "allow.and[0].email", "expected a string, got list"),
        ["number where a string is expected"] = ("""{"allow":{"and":[{"ssh_username":5}]}}""", "allow.and[0].ssh_username", "expected a string, got number"),
        ["null matcher value"] = ("""{"allow":{"and":[{"http_path":{"is":null}}]}}""", "allow.and[0].http_path.is", "expected a string, got null"),
        ["in needs a list"] = ("""{"allow":{"and":[{"email":{"in":"a@b"}}]}}""", "allow.and[0].email.in", "expected a list of strings, got string"),
        ["not_in item not a string"] = ("""{"allow":{"and":[{"email":{"not_in":["a@b",3]}}]}}""", "allow.and[0].email.not_in[1]", "expected a string, got number"),
        ["list matcher object value"] = ("""{"allow":{"and":[{"groups":{"has":{"x":1}}}]}}""", "allow.and[0].groups.has", "expected a string, bool or number, got object"),
        ["claim without a name"] = ("""{"allow":{"and":[{"claim":"x"}]}}""", "allow.and[0].claim", "the claim criterion needs a claim name"),
        ["sub-path on a plain criterion"] = ("""{"allow":{"and":[{"email/work":"x"}]}}""", "allow.and[0].email/work", "criterion \"email\" takes no sub-path"),
        ["bad source_ip"] = ("""{"allow":{"and":[{"source_ip":"10.0.0/8"}]}}""", "allow.and[0].source_ip", "\"10.0.0/8\" is not an IP address or CIDR range"),
        ["bad source_ip prefix"] = ("""{"allow":{"and":[{"source_ip":["10.0.0.0/8","::1/129"]}]}}""", "allow.and[0].source_ip[1]", "\"::1/129\" is not an IP address or CIDR range"),
        ["source_ip object"] = ("""{"allow":{"and":[{"source_ip":{"is":"10.0.0.1"}}]}}""", "allow.and[0].source_ip", "expected a string or a list of strings, got object"),
        ["bad ssh_publickey"] = ("""{"allow":{"and":[{"ssh_publickey":"ssh-ed25519 notbase64!"}]}}""", "allow.and[0].ssh_publickey", "not a valid SSH public key"),
        ["ssh_publickey type and blob disagree"] = ("""{"allow":{"and":[{"ssh_publickey":"ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIIjiDCSEY7HPRWs0QPU/3iJx1CFFbZa05qsrZieb4SoG"}]}}""", "allow.and[0].ssh_publickey", "not a valid SSH public key"),
        ["bad ssh_ca in a list"] = ("""{"allow":{"and":[{"ssh_ca":["KEY","garbage"]}]}}""".Replace("KEY", CaKey), "allow.and[0].ssh_ca[1]", "not a valid SSH public key"),
        ["ssh_username_matches_claim needs a name"] = ("""{"allow":{"and":[{"ssh_username_matches_claim":true}]}}""", "allow.and[0].ssh_username_matches_claim", "expected a string, got bool"),
        ["top level string"] = ("\"accept\"", "", "expected a rule object or a list of rules, got string"),
        ["rule list item not an object"] = ("""[{"allow":{"or":[{"accept":true}]}}, 7]""", "[1]", "expected a rule object with \"allow\" and/or \"deny\", got number"),
        ["error inside a list of rules"] = ("""[{"allow":{"or":[{"accept":true}]}},{"deny":{"or":[{"grups":"x"}]}}]""", "[1].deny.or[0].grups", "unknown criterion \"grups\""),
        ["invalid JSON"] = ("""{"allow":""", "", "invalid JSON"),
        ["duplicate key"] = ("""{"allow":{"or":[]},"allow":{"and":[]}}""", "allow", "duplicate key"),
    };

    public static IEnumerable<object[]> CaseNames() => Cases.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Rejected_with_path(string name)
    {
        var (json, path, detailStart) = Cases[name];
        var e = Assert.Throws<PolicyParseException>(() => PolicyParser.ParseJson(json));
        Assert.Equal(path, e.Path);
        Assert.StartsWith(detailStart, e.Detail, StringComparison.Ordinal);
        Assert.Equal(path.Length == 0 ? e.Detail : path + ": " + e.Detail, e.Message);
    }

    [Fact]
    public void Message_reads_path_colon_detail()
    {
        var e = Assert.Throws<PolicyParseException>(() => PolicyParser.ParseJson("""{"allow":{"or":[{"email":"a@b"},{"emial":"x"}]}}"""));
        Assert.StartsWith("allow.or[1].emial: unknown criterion \"emial\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Base_path_prefixes_every_error()
    {
        var e = Assert.Throws<PolicyParseException>(() =>
            PolicyParser.ParseJson("""[{"allow":{"or":[{"accept":true},{"emial":"x"}]}}]""", "routes[2].policy"));
        Assert.Equal("routes[2].policy[0].allow.or[1].emial", e.Path);

        var single = Assert.Throws<PolicyParseException>(() =>
            PolicyParser.Parse(new Dictionary<string, object?> { ["allw"] = null }, "routes[0].upstream_tunnel.ssh_policy"));
        Assert.Equal("routes[0].upstream_tunnel.ssh_policy.allw", single.Path);
    }

    [Fact]
    public void Every_criterion_name_in_the_issue_is_known()
    {
        foreach (var name in new[] { "accept", "reject", "authenticated_user", "ssh_username_matches_email" })
            PolicyParser.ParseJson(Single(name, "true"));
        foreach (var name in new[] { "email", "user", "domain", "groups", "claim/x", "ssh_username", "http_method", "http_path", "ssh_username_matches_claim" })
            PolicyParser.ParseJson(Single(name, Q("x")));
        PolicyParser.ParseJson(Single("source_ip", Q("::1")));
        PolicyParser.ParseJson(Single("ssh_publickey", Q(KeyA)));
        PolicyParser.ParseJson(Single("ssh_ca", Q(CaKey)));
    }
}
