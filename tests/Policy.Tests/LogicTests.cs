using Gateway.Policy;
using static Gateway.Policy.Tests.PolicyTestData;

namespace Gateway.Policy.Tests;

public class LogicTests
{
    private const string IsAlice = """{"email":"alice@example.com"}""";
    private const string IsBob = """{"email":"bob@example.com"}""";
    private const string InAdmins = """{"groups":"admins"}""";
    private const string InOps = """{"groups":"ops"}""";

    private static string Block(string op, params string[] criteria) =>
        "{\"allow\":{\"" + op + "\":[" + string.Join(",", criteria) + "]}}";

    public static TheoryData<string, string[], bool> OperatorCases => new()
    {
        { "and", [IsAlice, InAdmins], true },
        { "and", [IsAlice, InOps], false },
        { "and", [IsBob, InOps], false },
        { "or", [IsBob, InAdmins], true },
        { "or", [IsBob, InOps], false },
        // Pomerium's `not` is (NOT A) AND (NOT B): none may match.
        { "not", [IsBob, InOps], true },
        { "not", [IsBob, InAdmins], false },
        { "not", [IsAlice, InAdmins], false },
        // Pomerium's `nor` is (NOT A) OR (NOT B): at least one must not match.
        { "nor", [IsAlice, InOps], true },
        { "nor", [IsBob, InOps], true },
        { "nor", [IsAlice, InAdmins], false },
    };

    [Theory]
    [MemberData(nameof(OperatorCases))]
    public void Operator(string op, string[] criteria, bool expected) =>
        Assert.Equal(expected, Admits(Block(op, criteria), AliceHttp));

    [Fact]
    public void Not_and_nor_differ_when_only_some_criteria_match()
    {
        // alice matches IsAlice but not InOps: `not` fails (one matched), `nor` holds (one did not).
        Assert.False(Admits(Block("not", IsAlice, InOps), AliceHttp));
        Assert.True(Admits(Block("nor", IsAlice, InOps), AliceHttp));
    }

    [Fact]
    public void Not_admits_the_unauthenticated_because_their_identity_criteria_are_false()
    {
        Assert.True(Admits(Block("not", IsBob), AnonymousHttp));
    }

    [Fact]
    public void Several_operators_in_one_block_are_or_merged_as_in_Pomerium()
    {
        const string policy = """{"allow":{"and":[{"email":"bob@example.com"}],"or":[{"groups":"admins"}]}}""";
        Assert.True(Admits(policy, AliceHttp));
        Assert.False(Admits(policy, AliceHttp with { Groups = ["dev"] }));
    }

    [Fact]
    public void Deny_overrides_allow()
    {
        const string policy = """{"allow":{"or":[{"domain":"example.com"}]},"deny":{"or":[{"email":"alice@example.com"}]}}""";
        var p = PolicyParser.ParseJson(policy);
        Assert.False(Admits(p, AliceHttp));
        Assert.True(Admits(p, AliceHttp with { Email = "carol@example.com" }));
        var decision = p.Evaluate(AliceHttp);
        Assert.Equal(PolicyOutcome.DeniedByRule, decision.Outcome);
        Assert.Equal(["deny.or[0].email: email-ok"], decision.Reasons);
    }

    [Fact]
    public void Deny_across_rules_overrides_allow_in_another_rule()
    {
        const string policy = """[{"allow":{"or":[{"accept":true}]}},{"deny":{"or":[{"ssh_username":"root"}]}}]""";
        Assert.True(Admits(policy, AliceSsh));
        Assert.False(Admits(policy, AliceSsh with { SshUsername = "root" }));
        var decision = PolicyParser.ParseJson(policy).Evaluate(AliceSsh with { SshUsername = "root" });
        Assert.Equal(["[1].deny.or[0].ssh_username: ssh-username-ok"], decision.Reasons);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""{"allow":{}}""")]
    [InlineData("""{"allow":{"or":[]}}""")]
    [InlineData("""[{"allow":{"and":[],"not":[]}}]""")]
    public void Empty_policy_admits_nobody(string json)
    {
        var p = PolicyParser.ParseJson(json);
        Assert.True(p.AdmitsNobody);
        Assert.False(Admits(p, AliceHttp));
        var decision = p.Evaluate(AliceSsh);
        Assert.Equal(PolicyOutcome.NoAllowRules, decision.Outcome);
        Assert.Equal([PolicyReasons.NoAllowRules], decision.Reasons);
    }

    [Fact]
    public void Null_tree_and_deny_only_admit_nobody()
    {
        Assert.False(Admits(PolicyParser.Parse(null), AliceHttp));
        Assert.Same(CompiledPolicy.DenyAll, PolicyParser.Parse(null));
        var denyOnly = PolicyParser.ParseJson("""{"deny":{"or":[{"email":"bob@example.com"}]}}""");
        Assert.True(denyOnly.AdmitsNobody);
        Assert.False(Admits(denyOnly, AliceHttp));
    }

    [Fact]
    public void List_of_rules_or_merges_the_allows()
    {
        const string policy = """
            [
              {"allow":{"or":[{"email":"bob@example.com"}]}},
              {"allow":{"and":[{"groups":"admins"},{"source_ip":"10.0.0.0/8"}]}}
            ]
            """;
        Assert.True(Admits(policy, AliceHttp));
        Assert.False(Admits(policy, AliceHttp with { SourceIp = System.Net.IPAddress.Parse("8.8.8.8") }));
        Assert.True(Admits(policy, AnonymousHttp with { Authenticated = true, Email = "bob@example.com" }));
        var decision = PolicyParser.ParseJson(policy).Evaluate(AliceHttp);
        Assert.Equal(["[1].allow.and[0].groups: groups-ok", "[1].allow.and[1].source_ip: source-ip-ok"], decision.Reasons);
    }

    [Fact]
    public void Rule_with_allow_and_deny_together()
    {
        const string policy = """{"allow":{"or":[{"authenticated_user":true}]},"deny":{"nor":[{"source_ip":"10.0.0.0/8"}]}}""";
        Assert.True(Admits(policy, AliceHttp));
        Assert.False(Admits(policy, AliceHttp with { SourceIp = System.Net.IPAddress.Parse("192.0.2.1") }));
    }

    [Fact]
    public void Reasons_explain_a_refusal()
    {
        var p = PolicyParser.ParseJson("""{"allow":{"or":[{"email":"bob@example.com"},{"groups":"ops"}]}}""");
        var decision = p.Evaluate(AliceHttp);
        Assert.Equal(PolicyOutcome.NotAllowed, decision.Outcome);
        Assert.False(decision.RequiresSignIn);
        Assert.Equal(["allow.or[0].email: email-unauthorized", "allow.or[1].groups: groups-unauthorized"], decision.Reasons);

        var anonymous = p.Evaluate(AnonymousHttp);
        Assert.True(anonymous.RequiresSignIn);
        Assert.Equal(["allow.or[0].email: user-unauthenticated", "allow.or[1].groups: user-unauthenticated"], anonymous.Reasons);
    }

    [Fact]
    public void Reasons_of_an_and_name_the_first_failure_and_of_an_allow_the_match()
    {
        var p = PolicyParser.ParseJson("""{"allow":{"and":[{"email":"alice@example.com"},{"http_method":"POST"},{"groups":"ops"}]}}""");
        Assert.Equal(["allow.and[1].http_method: http-method-unauthorized"], p.Evaluate(AliceHttp).Reasons);

        var or = PolicyParser.ParseJson("""{"allow":{"or":[{"email":"bob@example.com"},{"email":"alice@example.com"}]}}""");
        var decision = or.Evaluate(AliceHttp);
        Assert.Equal(PolicyOutcome.Allowed, decision.Outcome);
        Assert.Equal(["allow.or[1].email: email-ok"], decision.Reasons);
    }

    [Fact]
    public void Same_policy_serves_ssh_and_http_evaluation()
    {
        // One evaluator for ssh_policy and policy: the HTTP criterion is simply false over SSH.
        var p = PolicyParser.ParseJson("""{"allow":{"or":[{"http_method":"GET"},{"ssh_publickey":"KEY"}]}}""".Replace("KEY", KeyA));
        Assert.True(Admits(p, AliceHttp));
        Assert.True(Admits(p, AliceSsh));
        Assert.False(Admits(p, AliceSsh with { SshPublicKey = Key(KeyB) }));
    }

    [Fact]
    public void Allows_does_not_allocate()
    {
        var p = PolicyParser.ParseJson("""
            [{"allow":{"and":[{"email":{"ends_with":"@example.com"}},{"domain":"example.com"},{"groups":{"has":"admins"}},
              {"claim/department":"eng"},{"source_ip":["192.168.0.0/16","10.0.0.0/8"]},{"ssh_username_matches_email":true},
              {"ssh_publickey":"KEY"},{"user":{"in":["u-bob","u-alice"]}}]},
              "deny":{"or":[{"ssh_username":"root"},{"source_ip":"2001:db8::/32"}]}}]
            """.Replace("KEY", KeyA));
        var input = AliceSsh with { SourceIp = System.Net.IPAddress.Parse("::ffff:10.1.2.3") };
        Assert.True(p.Allows(input));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
            Assert.True(p.Allows(input));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
