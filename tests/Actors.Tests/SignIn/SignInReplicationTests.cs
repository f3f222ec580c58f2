using Akka.Cluster;
using Gateway.Actors.SignIn;
using Gateway.Contracts.SignIn;
using Xunit.Abstractions;

namespace Gateway.Actors.Tests.SignIn;

/// <summary>Three nodes in one cluster: a write on one is seen on the others, and outlives its node.</summary>
public sealed class SignInReplicationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Visible = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_write_on_one_node_is_seen_on_the_others_within_a_second_and_survives_that_node_crashing()
    {
        await using var nodes = await SignInNodes.StartAsync(3);
        var (a, b, c) = (nodes.Stores[0], nodes.Stores[1], nodes.Stores[2]);

        await a.SaveSessionAsync(ClusterSignInStoreTests.Session("s1"), default);
        var onB = await SignInNodes.WaitUntil(() => b.FindSession("s1") is not null, "session on B", Visible);
        var onC = await SignInNodes.WaitUntil(() => c.FindSession("s1") is not null, "session on C", Visible);
        output.WriteLine($"A's session seen on B after {onB.TotalMilliseconds:0} ms, on C after {onC.TotalMilliseconds:0} ms");

        var now = DateTimeOffset.UtcNow;
        await a.SaveBindingAsync(ClusterSignInStoreTests.Binding("SHA256:key-a", "s1"), default);
        var code = await a.IssueCodeAsync("SHA256:key-b", "10.0.0.1:5000", now, default);
        await a.SaveDataProtectionKeyAsync("key-1", "<key />", default);
        // The node that decides a code may be another than the one that issued it.
        await SignInNodes.WaitUntil(() => b.FindCode(code.Code) is not null, "code on B", Visible);
        Assert.Equal(CodeDecisionResult.Decided, await b.DecideCodeAsync(code.Code, true, "s1", now, default));
        await SignInNodes.WaitUntil(() => a.FindCode(code.Code)?.State == SignInCodeState.Accepted, "decision on A", Visible);

        // A crashes (no leaving), and is downed.
        var aAddress = Cluster.Get(nodes.Systems[0]).SelfAddress;
        await nodes.Systems[0].Terminate().WaitAsync(SignInNodes.Timeout);
        Cluster.Get(nodes.Systems[1]).Down(aAddress);
        await SignInNodes.WaitUntil(() => nodes.Systems.Skip(1).All(s => Cluster.Get(s).State.Members.All(m => m.Address != aAddress)),
            "A removed from the membership");

        foreach (var survivor in new[] { b, c })
        {
            Assert.Equal("alice", survivor.FindSession("s1")?.Subject);
            Assert.Equal("s1", survivor.FindBinding("SHA256:key-a")?.SessionId);
            Assert.Equal(SignInCodeState.Accepted, survivor.FindCode(code.Code)?.State);
            Assert.Equal("<key />", survivor.DataProtectionKeys["key-1"]);
        }

        // The two survivors are a majority of their cluster: writes still confirm and spread.
        await c.EndSessionAsync("s1", default);
        await SignInNodes.WaitUntil(() => b.FindSession("s1") is null && b.FindBinding("SHA256:key-a") is null, "session ended on B", Visible);
    }
}
