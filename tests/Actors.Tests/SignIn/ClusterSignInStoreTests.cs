using Gateway.Actors.SignIn;
using Gateway.Contracts.SignIn;

namespace Gateway.Actors.Tests.SignIn;

/// <summary>The store on a one-node cluster: what each operation does.</summary>
public sealed class ClusterSignInStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private SignInNodes _node = null!;

    private ClusterSignInStore Store => _node.Stores[0];

    public async Task InitializeAsync() => _node = await SignInNodes.StartAsync(1);

    public async Task DisposeAsync() => await _node.DisposeAsync();

    internal static SignInSession Session(string id, string subject = "alice", DateTimeOffset? expires = null) => new(
        id, subject, $"{subject}@example.com", subject, ["admins"],
        new Dictionary<string, IReadOnlyList<string>> { ["sub"] = [subject], ["groups"] = ["admins", "ops"] },
        Now, expires ?? Now.AddHours(14));

    internal static SessionBinding Binding(string fingerprint, string sessionId)
        => new(fingerprint, sessionId, "127.0.0.1:40000", Now, Now.AddHours(14));

    [Fact]
    public async Task Ending_a_session_removes_it_and_every_binding_made_under_it_but_no_other()
    {
        await Store.SaveSessionAsync(Session("s1"), default);
        await Store.SaveSessionAsync(Session("s2", "bob"), default);
        await Store.SaveBindingAsync(Binding("SHA256:key-a", "s1"), default);
        await Store.SaveBindingAsync(Binding("SHA256:key-b", "s1"), default);
        await Store.SaveBindingAsync(Binding("SHA256:key-c", "s2"), default);

        var found = Store.FindSession("s1");
        Assert.NotNull(found);
        Assert.Equal("alice@example.com", found.Email);
        Assert.Equal(["admins", "ops"], found.Claims["groups"]);
        Assert.Equal(Now.AddHours(14), found.ExpiresAt);
        Assert.Equal("s1", Store.FindBinding("SHA256:key-a")?.SessionId);
        Assert.Equal(["SHA256:key-a", "SHA256:key-b"], Store.BindingsOf("s1").Select(b => b.KeyFingerprint).Order());

        await Store.EndSessionAsync("s1", default);

        Assert.Null(Store.FindSession("s1"));
        Assert.Null(Store.FindBinding("SHA256:key-a"));
        Assert.Null(Store.FindBinding("SHA256:key-b"));
        Assert.Empty(Store.BindingsOf("s1"));
        Assert.NotNull(Store.FindSession("s2"));
        Assert.Equal("s2", Store.FindBinding("SHA256:key-c")?.SessionId);
    }

    [Fact]
    public async Task One_pending_code_per_key_until_it_expires_or_is_decided()
    {
        var first = await Store.IssueCodeAsync("SHA256:key-a", "10.0.0.1:5000", Now, default);
        var again = await Store.IssueCodeAsync("SHA256:key-a", "10.0.0.2:5000", Now.AddMinutes(5), default);
        var otherKey = await Store.IssueCodeAsync("SHA256:key-b", "10.0.0.1:5001", Now, default);

        Assert.Matches("^[A-Za-z0-9_-]{22}$", first.Code);
        Assert.Equal(first, again);
        Assert.Equal(SignInCodeState.Pending, first.State);
        Assert.Equal(Now + SignInCode.Lifetime, first.ExpiresAt);
        Assert.NotEqual(first.Code, otherKey.Code);

        var afterExpiry = await Store.IssueCodeAsync("SHA256:key-a", "10.0.0.1:5000", Now + SignInCode.Lifetime, default);
        Assert.NotEqual(first.Code, afterExpiry.Code);

        Assert.Equal(CodeDecisionResult.Decided, await Store.DecideCodeAsync(afterExpiry.Code, accept: false, null, Now.AddMinutes(16), default));
        var afterDecision = await Store.IssueCodeAsync("SHA256:key-a", "10.0.0.1:5000", Now.AddMinutes(16), default);
        Assert.NotEqual(afterExpiry.Code, afterDecision.Code);
    }

    [Fact]
    public async Task Deciding_a_code_says_unknown_expired_decided_or_already_decided_and_binds_nothing()
    {
        var code = await Store.IssueCodeAsync("SHA256:key-a", "10.0.0.1:5000", Now, default);
        var late = await Store.IssueCodeAsync("SHA256:key-b", "10.0.0.1:5000", Now, default);

        Assert.Equal(CodeDecisionResult.Unknown, await Store.DecideCodeAsync("no-such-code", true, "s1", Now, default));
        Assert.Equal(CodeDecisionResult.Expired, await Store.DecideCodeAsync(late.Code, true, "s1", Now + SignInCode.Lifetime, default));
        Assert.Equal(CodeDecisionResult.Decided, await Store.DecideCodeAsync(code.Code, true, "s1", Now.AddMinutes(1), default));
        Assert.Equal(CodeDecisionResult.AlreadyDecided, await Store.DecideCodeAsync(code.Code, true, "s1", Now.AddMinutes(2), default));
        Assert.Equal(CodeDecisionResult.AlreadyDecided, await Store.DecideCodeAsync(code.Code, false, null, Now.AddMinutes(2), default));

        var decided = Store.FindCode(code.Code);
        Assert.Equal(SignInCodeState.Accepted, decided?.State);
        Assert.Equal("s1", decided?.SessionId);
        Assert.Equal(SignInCodeState.Pending, Store.FindCode(late.Code)?.State);
        Assert.Null(Store.FindBinding("SHA256:key-a"));
    }

    [Fact]
    public async Task Changed_is_raised_after_a_write_is_visible()
    {
        var seen = new TaskCompletionSource<SignInSession?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Store.Changed += () => seen.TrySetResult(Store.FindSession("s9"));

        await Store.SaveSessionAsync(Session("s9"), default);

        Assert.Equal("s9", (await seen.Task.WaitAsync(SignInNodes.Timeout))?.Id);
    }

    [Fact]
    public async Task Data_protection_and_assertion_keys_are_kept_by_id()
    {
        await Store.SaveDataProtectionKeyAsync("key-1", "<key id=\"1\" />", default);
        await Store.SaveDataProtectionKeyAsync("key-2", "<key id=\"2\" />", default);
        await Store.PublishAssertionKeyAsync("node-a", "{\"kty\":\"EC\"}", default);

        Assert.Equal(2, Store.DataProtectionKeys.Count);
        Assert.Equal("<key id=\"2\" />", Store.DataProtectionKeys["key-2"]);
        Assert.Equal("{\"kty\":\"EC\"}", Store.AssertionKeys["node-a"]);
    }
}
