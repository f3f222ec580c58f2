using Gateway.Ssh.Auth;
using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Tests.Auth;

public sealed class KeyboardInteractiveAuthTests
{
    [Fact]
    public async Task Prompts_are_answered_and_checked()
    {
        var authenticator = new TestAuthenticator
        {
            Methods = _ => [SshAuthMethods.KeyboardInteractive],
            KeyboardInteractive = async (ctx, ct) =>
            {
                var answers = await ctx.PromptAsync("Login", "Two questions", [new SshPrompt("Code: ", false), new SshPrompt("Color: ", true)], ct);
                return answers is ["1234", "blue"] ? AuthDecision.Success(properties: new Dictionary<string, string> { ["color"] = answers[1] }) : AuthDecision.Failure;
            },
        };
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator });
        var seen = new List<KeyboardInteractivePrompt>();
        var client = pair.UseClient("carol", [], prompt =>
        {
            seen.Add(prompt);
            return ValueTask.FromResult(new[] { "1234", "blue" });
        });

        await client.AuthenticateAsync(CancellationToken.None).WaitAsync(AuthPair.Timeout);
        var user = await pair.ServerResultAsync();

        Assert.Equal([SshAuthMethods.KeyboardInteractive], user.Methods);
        Assert.Equal("blue", user.Properties["color"]);
        var prompt = Assert.Single(seen);
        Assert.Equal("Login", prompt.Name);
        Assert.Equal("Two questions", prompt.Instruction);
        Assert.Equal([new SshPrompt("Code: ", false), new SshPrompt("Color: ", true)], prompt.Prompts);
    }

    [Fact]
    public async Task Wrong_answers_are_retried_then_refused()
    {
        var authenticator = new TestAuthenticator
        {
            Methods = _ => [SshAuthMethods.KeyboardInteractive],
            KeyboardInteractive = async (ctx, ct) =>
            {
                var answers = await ctx.PromptAsync("", "", [new SshPrompt("Code: ", false)], ct);
                return answers[0] == "right" ? AuthDecision.Success() : AuthDecision.Failure;
            },
        };
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator });
        var client = pair.UseClient("carol", [], _ => ValueTask.FromResult(new[] { "wrong" }));

        var ex = Assert.IsType<SshAuthenticationException>(await AuthAssert.ClientFailsAsync(client));

        Assert.Equal([SshAuthMethods.KeyboardInteractive], ex.MethodsLeft);
        // OpenSSH's NumberOfPasswordPrompts: three keyboard-interactive requests.
        Assert.Equal(3, authenticator.KeyboardInteractiveCalls.Count);
    }

    [Fact]
    public async Task Zero_prompts_show_text_then_wait_for_an_outside_decision_with_heartbeats()
    {
        var decided = new TaskCompletionSource<AuthDecision>(TaskCreationOptions.RunContinuationsAsynchronously);
        var authenticator = new TestAuthenticator
        {
            Methods = _ => [SshAuthMethods.KeyboardInteractive],
            KeyboardInteractive = async (ctx, ct) =>
            {
                var none = await ctx.PromptAsync("Sign in", "Open https://gateway.test/device?code=ABCD", [], ct);
                Assert.Empty(none);
                return await decided.Task.WaitAsync(ct);
            },
        };
        await using var pair = AuthPair.Create(new SshServerAuthOptions
        {
            Authenticator = authenticator,
            KeyboardInteractiveHeartbeat = TimeSpan.FromMilliseconds(100),
        });
        KeyboardInteractivePrompt? shown = null;
        var client = pair.UseClient("dave", [], prompt =>
        {
            shown = prompt;
            return ValueTask.FromResult(Array.Empty<string>());
        });

        var authenticating = client.AuthenticateAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow + AuthPair.Timeout;
        while (pair.ClientTransport.IgnoresReceived < 3 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(pair.ClientTransport.IgnoresReceived >= 3, $"only {pair.ClientTransport.IgnoresReceived} heartbeats");
        Assert.False(authenticating.IsCompleted);

        decided.SetResult(AuthDecision.Success(identity: "dave@idp"));
        await authenticating.WaitAsync(AuthPair.Timeout);
        var user = await pair.ServerResultAsync();

        Assert.Equal("dave@idp", user.Identity);
        Assert.NotNull(shown);
        Assert.Equal("Sign in", shown!.Name);
        Assert.Equal("Open https://gateway.test/device?code=ABCD", shown.Instruction);
        Assert.Empty(shown.Prompts);
    }

    [Fact]
    public async Task Publickey_then_keyboard_interactive_with_partial_success()
    {
        var key = AuthTestKeys.Get(SshKeyKind.Ed25519);
        var authenticator = new TestAuthenticator
        {
            Methods = state => state.MethodsPassed.Count == 0 ? [SshAuthMethods.PublicKey] : [SshAuthMethods.KeyboardInteractive],
            PublicKey = (ctx, _) => ValueTask.FromResult(ctx.Key.Equals(key.PublicKey) ? AuthDecision.PartialSuccess(identity: "key-ok") : AuthDecision.Failure),
            KeyboardInteractive = async (ctx, ct) =>
            {
                Assert.Equal([SshAuthMethods.PublicKey], ctx.MethodsPassed);
                var answers = await ctx.PromptAsync("", "", [new SshPrompt("OTP: ", false)], ct);
                return answers[0] == "424242" ? AuthDecision.Success(identity: "otp-ok") : AuthDecision.Failure;
            },
        };
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator });
        var client = pair.UseClient("erin", [key], _ => ValueTask.FromResult(new[] { "424242" }));

        await client.AuthenticateAsync(CancellationToken.None).WaitAsync(AuthPair.Timeout);
        var user = await pair.ServerResultAsync();

        Assert.Equal([SshAuthMethods.PublicKey, SshAuthMethods.KeyboardInteractive], user.Methods);
        Assert.Equal([SshAuthMethods.PublicKey, SshAuthMethods.KeyboardInteractive], client.MethodsPassed);
        Assert.Equal(key.PublicKey, user.PublicKey);
        Assert.Equal("otp-ok", user.Identity);
    }

    [Fact]
    public async Task Partial_success_alone_never_completes()
    {
        var key = AuthTestKeys.Get(SshKeyKind.Ed25519);
        var authenticator = new TestAuthenticator
        {
            Methods = state => state.MethodsPassed.Count == 0 ? [SshAuthMethods.PublicKey] : [SshAuthMethods.KeyboardInteractive],
            PublicKey = (_, _) => ValueTask.FromResult(AuthDecision.PartialSuccess()),
        };
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator });
        // No keyboard-interactive callback: the client cannot continue.
        var client = pair.UseClient("erin", [key]);

        var ex = Assert.IsType<SshAuthenticationException>(await AuthAssert.ClientFailsAsync(client));

        Assert.Equal([SshAuthMethods.KeyboardInteractive], ex.MethodsLeft);
        Assert.False(pair.Server.Completion.IsCompleted);
    }
}
