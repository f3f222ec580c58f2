using Gateway.Policy;
using static Gateway.Policy.Tests.PolicyTestData;

namespace Gateway.Policy.Tests;

/// <summary>Every criterion with at least one admitting and one refusing case.</summary>
public class CriterionTableTests
{
    private static readonly Dictionary<string, (string Policy, string Input, bool Expected)> Cases = new()
    {
        ["accept admits anonymous"] = (Single("accept", "true"), nameof(Empty), true),
        ["accept ignores its data, as Pomerium does"] = (Single("accept", "false"), nameof(Empty), true),
        ["accept in deny refuses alice"] = ("""{"allow":{"and":[{"accept":true}]},"deny":{"and":[{"accept":true}]}}""", nameof(AliceHttp), false),
        ["reject refuses alice"] = (Single("reject", "true"), nameof(AliceHttp), false),
        ["not reject admits"] = ("""{"allow":{"not":[{"reject":true}]}}""", nameof(Empty), true),

        ["authenticated_user admits signed in"] = (Single("authenticated_user", "true"), nameof(AliceHttp), true),
        ["authenticated_user refuses anonymous"] = (Single("authenticated_user", "true"), nameof(AnonymousHttp), false),
        ["authenticated_user refuses filled but unauthenticated"] = (Single("authenticated_user", "true"), nameof(UnauthenticatedWithEmail), false),

        ["email matches"] = (Single("email", Q("alice@example.com")), nameof(AliceHttp), true),
        ["email other user"] = (Single("email", Q("bob@example.com")), nameof(AliceHttp), false),
        ["email needs a session"] = (Single("email", Q("alice@example.com")), nameof(UnauthenticatedWithEmail), false),
        ["email absent"] = (Single("email", """{"not":"bob@example.com"}"""), nameof(AnonymousHttp), false),

        ["user matches id"] = (Single("user", Q("u-alice")), nameof(AliceHttp), true),
        ["user other id"] = (Single("user", Q("u-bob")), nameof(AliceHttp), false),
        ["user is the id not the email"] = (Single("user", Q("alice@example.com")), nameof(AliceHttp), false),
        ["user needs a session"] = (Single("user", Q("u-alice")), nameof(UnauthenticatedWithEmail), false),

        ["domain matches"] = (Single("domain", Q("example.com")), nameof(AliceHttp), true),
        ["domain other"] = (Single("domain", Q("example.org")), nameof(AliceHttp), false),
        ["domain is exact, not a suffix"] = (Single("domain", Q("com")), nameof(AliceHttp), false),
        ["domain with a matcher"] = (Single("domain", """{"ends_with":".com"}"""), nameof(AliceHttp), true),
        ["domain is between the first and second @"] = (Single("domain", Q("example.com")), "TwoAts", true),
        ["domain is not the last part after @"] = (Single("domain", Q("evil.org")), "TwoAts", false),
        ["domain needs a session"] = (Single("domain", Q("example.com")), nameof(UnauthenticatedWithEmail), false),

        ["groups has"] = (Single("groups", Q("admins")), nameof(AliceHttp), true),
        ["groups missing"] = (Single("groups", Q("ops")), nameof(AliceHttp), false),
        ["groups needs a session"] = (Single("groups", Q("admins")), nameof(UnauthenticatedWithEmail), false),

        ["claim has value"] = (Single("claim/department", Q("eng")), nameof(AliceHttp), true),
        ["claim other value"] = (Single("claim/department", Q("sales")), nameof(AliceHttp), false),
        ["claim bool literal compares as text"] = (Single("claim/email_verified", "true"), nameof(AliceHttp), true),
        ["claim number literal compares as text"] = (Single("claim/level", "42"), nameof(AliceHttp), true),
        ["claim missing is an empty list: has fails"] = (Single("claim/nope", Q("x")), nameof(AliceHttp), false),
        ["claim missing is an empty list: exclude holds"] = (Single("claim/nope", """{"exclude":"x"}"""), nameof(AliceHttp), true),
        ["claim needs a session"] = (Single("claim/department", Q("eng")), nameof(UnauthenticatedWithEmail), false),

        ["source_ip in CIDR"] = (Single("source_ip", Q("10.0.0.0/8")), nameof(AliceHttp), true),
        ["source_ip outside CIDR"] = (Single("source_ip", Q("192.168.0.0/16")), nameof(AliceHttp), false),
        ["source_ip list"] = (Single("source_ip", """["192.168.0.0/16","10.1.2.3"]"""), nameof(AliceHttp), true),
        ["source_ip works without a session"] = (Single("source_ip", Q("10.1.2.0/24")), nameof(AnonymousHttp), true),
        ["source_ip absent address"] = (Single("source_ip", Q("0.0.0.0/0")), nameof(Empty), false),

        ["ssh_username matches"] = (Single("ssh_username", Q("alice")), nameof(AliceSsh), true),
        ["ssh_username other"] = (Single("ssh_username", Q("root")), nameof(AliceSsh), false),
        ["ssh_username false over http"] = (Single("ssh_username", """{"not":"root"}"""), nameof(AliceHttp), false),

        ["ssh_username_matches_email local part"] = (Single("ssh_username_matches_email", "true"), nameof(AliceSsh), true),
        ["ssh_username_matches_email data {} as in Pomerium's tests"] = (Single("ssh_username_matches_email", "{}"), nameof(AliceSsh), true),
        ["ssh_username_matches_email data null (YAML empty value)"] = (Single("ssh_username_matches_email", "null"), nameof(AliceSsh), true),
        ["ssh_username_matches_email whole email is not the local part"] = (Single("ssh_username_matches_email", "true"), "AliceSshAsEmail", false),
        ["ssh_username_matches_email needs a session"] = (Single("ssh_username_matches_email", "true"), nameof(UnauthenticatedWithEmail), false),
        ["ssh_username_matches_email false over http"] = (Single("ssh_username_matches_email", "true"), nameof(AliceHttp), false),

        ["ssh_username_matches_claim member"] = (Single("ssh_username_matches_claim", Q("unix_user")), nameof(AliceSsh), true),
        ["ssh_username_matches_claim not a member"] = (Single("ssh_username_matches_claim", Q("department")), nameof(AliceSsh), false),

        ["ssh_publickey single line"] = (Single("ssh_publickey", Q(KeyA)), nameof(AliceSsh), true),
        ["ssh_publickey other key"] = (Single("ssh_publickey", Q(KeyB)), nameof(AliceSsh), false),
        ["ssh_publickey list"] = (Single("ssh_publickey", $"[{Q(EcKey)},{Q(RsaKey)},{Q(KeyA)}]"), nameof(AliceSsh), true),
        ["ssh_publickey comment and options ignored"] = (Single("ssh_publickey", Q("no-pty,from=\"10.0.0.0/8\" " + KeyA.Replace("a@test", "another comment"))), nameof(AliceSsh), true),
        ["ssh_publickey false over http"] = (Single("ssh_publickey", Q(KeyA)), nameof(AliceHttp), false),
        ["ssh_publickey is the certificate when one is used"] = (Single("ssh_publickey", Q(KeyA)), nameof(AliceSshCert), false),
        ["ssh_publickey certificate line"] = (Single("ssh_publickey", Q(CertA)), nameof(AliceSshCert), true),

        ["ssh_ca signing CA"] = (Single("ssh_ca", Q(CaKey)), nameof(AliceSshCert), true),
        ["ssh_ca cert-authority line"] = (Single("ssh_ca", Q("cert-authority,principals=\"alice\" " + CaKey)), nameof(AliceSshCert), true),
        ["ssh_ca other CA"] = (Single("ssh_ca", $"[{Q(KeyB)}]"), nameof(AliceSshCert), false),
        ["ssh_ca plain key, no certificate"] = (Single("ssh_ca", Q(CaKey)), nameof(AliceSsh), false),

        ["http_method matches"] = (Single("http_method", Q("GET")), nameof(AliceHttp), true),
        ["http_method other"] = (Single("http_method", Q("POST")), nameof(AliceHttp), false),
        ["http_method false over ssh"] = (Single("http_method", """{"not":"POST"}"""), nameof(AliceSsh), false),

        ["http_path matches"] = (Single("http_path", """{"starts_with":"/api/"}"""), nameof(AliceHttp), true),
        ["http_path other"] = (Single("http_path", Q("/admin")), nameof(AliceHttp), false),
        ["http_path false over ssh"] = (Single("http_path", """{"starts_with":"/"}"""), nameof(AliceSsh), false),
    };

    public static IEnumerable<object[]> CaseNames() => Cases.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Criterion(string name)
    {
        var (policy, input, expected) = Cases[name];
        var value = input switch
        {
            "AliceSshAsEmail" => AliceSsh with { SshUsername = "alice@example.com" },
            "TwoAts" => AliceHttp with { Email = "alice@example.com@evil.org" },
            _ => Named(input),
        };
        Assert.Equal(expected, Admits(policy, value));
    }

    [Fact]
    public void Every_known_criterion_has_a_positive_and_a_negative_case()
    {
        string[] names =
        [
            "accept", "reject", "authenticated_user", "email", "user", "domain", "groups", "claim/",
            "source_ip", "ssh_username\"", "ssh_username_matches_email", "ssh_username_matches_claim",
            "ssh_publickey", "ssh_ca", "http_method", "http_path",
        ];
        foreach (var n in names)
        {
            var outcomes = Cases.Values.Where(c => c.Policy.Contains("\"" + n, StringComparison.Ordinal)).Select(c => c.Expected).ToHashSet();
            Assert.True(outcomes.Count == 2, $"criterion {n} needs both an admitting and a refusing case");
        }
    }
}
