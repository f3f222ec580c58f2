using Gateway.Policy;
using static Gateway.Policy.Tests.PolicyTestData;

namespace Gateway.Policy.Tests;

/// <summary>Every string matcher and every string-list matcher, each admitting and refusing.</summary>
public class MatcherTableTests
{
    // Alice's email is alice@example.com; her groups are exactly [admins, dev].
    private static readonly Dictionary<string, (string Criterion, string Data, bool Expected)> StringCases = new()
    {
        ["bare string means is: equal"] = ("email", Q("alice@example.com"), true),
        ["bare string means is: different"] = ("email", Q("bob@example.com"), false),
        ["is: equal"] = ("email", """{"is":"alice@example.com"}""", true),
        ["is: different"] = ("email", """{"is":"alice@example.co"}""", false),
        ["is: case-sensitive"] = ("email", """{"is":"Alice@example.com"}""", false),
        ["contains: inside"] = ("email", """{"contains":"@example."}""", true),
        ["contains: not inside"] = ("email", """{"contains":"bob"}""", false),
        ["starts_with: prefix"] = ("email", """{"starts_with":"alice@"}""", true),
        ["starts_with: not a prefix"] = ("email", """{"starts_with":"example"}""", false),
        ["ends_with: suffix"] = ("email", """{"ends_with":"@example.com"}""", true),
        ["ends_with: not a suffix"] = ("email", """{"ends_with":"@example.org"}""", false),
        ["in: member"] = ("email", """{"in":["bob@example.com","alice@example.com"]}""", true),
        ["in: not a member"] = ("email", """{"in":["bob@example.com"]}""", false),
        ["in: empty list"] = ("email", """{"in":[]}""", false),
        ["not_in: not a member"] = ("email", """{"not_in":["bob@example.com"]}""", true),
        ["not_in: member"] = ("email", """{"not_in":["carol@example.com","alice@example.com"]}""", false),
        ["not: different"] = ("email", """{"not":"bob@example.com"}""", true),
        ["not: equal"] = ("email", """{"not":"alice@example.com"}""", false),
        ["several operators all hold"] = ("email", """{"starts_with":"alice","ends_with":".com","not":"alice@evil.com"}""", true),
        ["several operators, one fails"] = ("email", """{"starts_with":"alice","ends_with":".org"}""", false),
        ["matcher on ssh_username"] = ("ssh_username", """{"in":["root","alice"]}""", true),
        ["matcher on user"] = ("user", """{"starts_with":"u-"}""", true),
        ["matcher on http_method"] = ("http_method", """{"not_in":["GET","HEAD"]}""", false),
        ["matcher on domain"] = ("domain", """{"contains":"ample"}""", true),
    };

    private static readonly Dictionary<string, (string Criterion, string Data, bool Expected)> ListCases = new()
    {
        ["bare value means has: present"] = ("groups", Q("dev"), true),
        ["bare value means has: absent"] = ("groups", Q("ops"), false),
        ["has: present"] = ("groups", """{"has":"admins"}""", true),
        ["has: absent"] = ("groups", """{"has":"ops"}""", false),
        ["is: the only element"] = ("claim/department", """{"is":"eng"}""", true),
        ["is: one of several is not enough"] = ("groups", """{"is":"admins"}""", false),
        ["is: absent"] = ("claim/department", """{"is":"sales"}""", false),
        ["exclude: absent"] = ("groups", """{"exclude":"ops"}""", true),
        ["exclude: present"] = ("groups", """{"exclude":"admins"}""", false),
        ["several operators all hold"] = ("groups", """{"has":"admins","exclude":"ops"}""", true),
        ["several operators, one fails"] = ("groups", """{"has":"admins","exclude":"dev"}""", false),
        ["claim list has"] = ("claim/unix_user", """{"has":"al"}""", true),
        ["claim list exclude"] = ("claim/unix_user", """{"exclude":"al"}""", false),
    };

    public static IEnumerable<object[]> StringCaseNames() => StringCases.Keys.Select(k => new object[] { k });

    public static IEnumerable<object[]> ListCaseNames() => ListCases.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(StringCaseNames))]
    public void String_matcher(string name)
    {
        var (criterion, data, expected) = StringCases[name];
        var input = criterion.StartsWith("ssh_", StringComparison.Ordinal) ? AliceSsh : AliceHttp;
        Assert.Equal(expected, Admits(Single(criterion, data), input));
    }

    [Theory]
    [MemberData(nameof(ListCaseNames))]
    public void List_matcher(string name)
    {
        var (criterion, data, expected) = ListCases[name];
        Assert.Equal(expected, Admits(Single(criterion, data), AliceHttp));
    }

    [Fact]
    public void Each_matcher_operator_is_tested_both_ways()
    {
        foreach (var op in new[] { "is", "contains", "starts_with", "ends_with", "in", "not_in", "not" })
        {
            var outcomes = StringCases.Values.Where(c => c.Data.Contains("\"" + op + "\"", StringComparison.Ordinal)).Select(c => c.Expected).ToHashSet();
            Assert.True(outcomes.Count == 2, $"string matcher {op}");
        }
        foreach (var op in new[] { "has", "is", "exclude" })
        {
            var outcomes = ListCases.Values.Where(c => c.Data.Contains("\"" + op + "\"", StringComparison.Ordinal)).Select(c => c.Expected).ToHashSet();
            Assert.True(outcomes.Count == 2, $"list matcher {op}");
        }
    }

    [Fact]
    public void Matchers_are_false_when_the_value_is_absent_even_negative_ones()
    {
        // Pomerium: an undefined input makes the rule body fail, so `not`/`not_in` do not turn absence into a match.
        var noEmail = AliceHttp with { Email = null };
        Assert.False(Admits(Single("email", """{"not":"bob@example.com"}"""), noEmail));
        Assert.False(Admits(Single("email", """{"not_in":["bob@example.com"]}"""), noEmail));
        Assert.False(Admits(Single("domain", """{"not":"example.org"}"""), noEmail));
    }

    [Fact]
    public void Groups_absent_on_a_signed_in_user_is_an_empty_list()
    {
        var noGroups = AliceHttp with { Groups = null };
        Assert.True(Admits(Single("groups", """{"exclude":"admins"}"""), noGroups));
        Assert.False(Admits(Single("groups", """{"has":"admins"}"""), noGroups));
    }
}
