using Gateway.Ssh.Auth;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Auth;

/// <summary>The server layer against hand-built messages: the cases a well-behaved client never produces.</summary>
public sealed class RawProtocolTests
{
    private static readonly string[] PublicKeyOnly = [SshAuthMethods.PublicKey];

    [Fact]
    public async Task Signature_by_another_key_is_refused_and_counted()
    {
        var key = AuthTestKeys.Get(SshKeyKind.Ed25519);
        var other = AuthTestKeys.Get(SshKeyKind.Ed25519, 1);
        var authenticator = AuthAssert.AcceptingKeys(key.PublicKey);
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator, MaxAuthFailures = 2 });
        var raw = pair.UseRaw();

        await raw.SendAsync(RawMessages.Signed("alice", "ssh-ed25519", key, signer: other));
        AuthAssert.Failure(await raw.NextAsync(), PublicKeyOnly, false);

        // A second bad signature reaches MaxAuthFailures = 2. The key is authorized, so the
        // policy approved both before the signatures were checked; neither approval took effect.
        await raw.SendAsync(RawMessages.Signed("alice", "ssh-ed25519", key, sessionId: new byte[32]));
        await pair.ClientTransport.DisconnectReceivedTask.WaitAsync(AuthPair.Timeout);
        Assert.Equal(DisconnectReason.NoMoreAuthMethodsAvailable, pair.ClientTransport.DisconnectReceived!.Value.Reason);
        Assert.Equal(2, authenticator.PublicKeyCalls.Count);
        await Assert.ThrowsAsync<SshProtocolException>(() => pair.ServerResultAsync());
    }

    [Fact]
    public async Task Signature_over_another_user_is_refused()
    {
        var key = AuthTestKeys.Get(SshKeyKind.EcdsaP256);
        var authenticator = AuthAssert.AcceptingKeys(key.PublicKey);
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator });
        var raw = pair.UseRaw();
        var signedForBob = RawMessages.Signed("bob", "ecdsa-sha2-nistp256", key);
        // Same signature, user field rewritten to alice: the signed data no longer matches.
        var forged = UserAuthMessages.PublicKeyRequest("alice", "ecdsa-sha2-nistp256", key.PublicKey.Blob.Span, ExtractSignature(signedForBob), signed: true);

        await raw.SendAsync(forged);
        AuthAssert.Failure(await raw.NextAsync(), PublicKeyOnly, false);

        await raw.SendAsync(RawMessages.Signed("alice", "ecdsa-sha2-nistp256", key));
        Assert.Equal(SshMessageNumber.UserAuthSuccess, (await raw.NextAsync())[0]);
        Assert.Equal("alice", (await pair.ServerResultAsync()).Username);
    }

    private static byte[] ExtractSignature(byte[] request)
    {
        var r = new SshReader(request);
        r.ReadByte();
        r.ReadString();
        r.ReadString();
        r.ReadString();
        r.ReadBoolean();
        r.ReadString();
        r.ReadBinary();
        return r.ReadBinary().ToArray();
    }

    [Theory]
    [InlineData("ssh-rsa", SshKeyKind.Rsa)]
    [InlineData("ssh-rsa-cert-v01@openssh.com", SshKeyKind.Rsa)]
    [InlineData("ssh-ed25519", SshKeyKind.EcdsaP256)]
    [InlineData("ecdsa-sha2-nistp384", SshKeyKind.EcdsaP256)]
    [InlineData("rsa-sha2-256-cert-v01@openssh.com", SshKeyKind.Rsa)]
    [InlineData("ssh-dss", SshKeyKind.Ed25519)]
    public async Task Algorithm_that_is_sha1_or_does_not_match_the_key_is_refused(string algorithm, SshKeyKind kind)
    {
        var key = AuthTestKeys.Get(kind);
        var authenticator = AuthAssert.AcceptingKeys(key.PublicKey);
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator });
        var raw = pair.UseRaw();

        await raw.SendAsync(RawMessages.Query("alice", algorithm, key.PublicKey));

        AuthAssert.Failure(await raw.NextAsync(), PublicKeyOnly, false);
        Assert.Empty(authenticator.PublicKeyCalls);
    }

    [Fact]
    public async Task Query_is_answered_with_pk_ok_echoing_algorithm_and_blob()
    {
        var key = AuthTestKeys.Get(SshKeyKind.Rsa);
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = AuthAssert.AcceptingKeys(key.PublicKey) });
        var raw = pair.UseRaw();

        await raw.SendAsync(RawMessages.Query("alice", "rsa-sha2-256", key.PublicKey));

        Assert.Equal(UserAuthMessages.PkOk("rsa-sha2-256", key.PublicKey.Blob.Span), await raw.NextAsync());
        Assert.False(pair.Server.Completion.IsCompleted);
    }

    [Fact]
    public async Task Username_change_after_partial_success_is_refused()
    {
        var key = AuthTestKeys.Get(SshKeyKind.Ed25519);
        var authenticator = new TestAuthenticator
        {
            Methods = state => state.MethodsPassed.Count == 0 ? PublicKeyOnly : [SshAuthMethods.KeyboardInteractive],
            PublicKey = (_, _) => ValueTask.FromResult(AuthDecision.PartialSuccess()),
            KeyboardInteractive = async (ctx, ct) => (await ctx.PromptAsync("", "", [new SshPrompt("Code: ", false)], ct))[0] == "7" ? AuthDecision.Success() : AuthDecision.Failure,
        };
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator });
        var raw = pair.UseRaw();

        await raw.SendAsync(RawMessages.Signed("alice", "ssh-ed25519", key));
        AuthAssert.Failure(await raw.NextAsync(), [SshAuthMethods.KeyboardInteractive], true);

        await raw.SendAsync(RawMessages.KeyboardInteractive("bob"));
        AuthAssert.Failure(await raw.NextAsync(), [SshAuthMethods.KeyboardInteractive], false);
        Assert.Empty(authenticator.KeyboardInteractiveCalls);

        await raw.SendAsync(RawMessages.KeyboardInteractive("alice"));
        Assert.Equal(SshMessageNumber.UserAuthInfoRequest, (await raw.NextAsync())[0]);
        await raw.SendAsync(RawMessages.InfoResponse("7"));
        Assert.Equal(SshMessageNumber.UserAuthSuccess, (await raw.NextAsync())[0]);

        var user = await pair.ServerResultAsync();
        Assert.Equal("alice", user.Username);
        Assert.Equal([SshAuthMethods.PublicKey, SshAuthMethods.KeyboardInteractive], user.Methods);
    }

    [Fact]
    public async Task Username_may_change_before_any_method_passed()
    {
        var key = AuthTestKeys.Get(SshKeyKind.Ed25519);
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = AuthAssert.AcceptingKeys(key.PublicKey) });
        var raw = pair.UseRaw();

        await raw.SendAsync(RawMessages.None("root"));
        AuthAssert.Failure(await raw.NextAsync(), PublicKeyOnly, false);
        await raw.SendAsync(RawMessages.Signed("alice", "ssh-ed25519", key));
        Assert.Equal(SshMessageNumber.UserAuthSuccess, (await raw.NextAsync())[0]);
        Assert.Equal("alice", (await pair.ServerResultAsync()).Username);
    }

    [Fact]
    public async Task Response_count_differing_from_prompts_fails_the_attempt()
    {
        var authenticator = new TestAuthenticator
        {
            Methods = _ => [SshAuthMethods.KeyboardInteractive],
            KeyboardInteractive = async (ctx, ct) =>
            {
                await ctx.PromptAsync("", "", [new SshPrompt("One: ", true)], ct);
                return AuthDecision.Success();
            },
        };
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator });
        var raw = pair.UseRaw();

        await raw.SendAsync(RawMessages.KeyboardInteractive("alice"));
        Assert.Equal(SshMessageNumber.UserAuthInfoRequest, (await raw.NextAsync())[0]);
        await raw.SendAsync(RawMessages.InfoResponse("a", "b"));

        AuthAssert.Failure(await raw.NextAsync(), [SshAuthMethods.KeyboardInteractive], false);
        Assert.False(pair.Server.Completion.IsCompleted);
    }

    [Fact]
    public async Task New_request_abandons_keyboard_interactive_and_gets_the_only_reply()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var authenticator = new TestAuthenticator
        {
            Methods = _ => [SshAuthMethods.KeyboardInteractive, SshAuthMethods.PublicKey],
            KeyboardInteractive = async (ctx, ct) =>
            {
                using var _ = ct.Register(() => cancelled.TrySetResult());
                await ctx.PromptAsync("", "", [new SshPrompt("Code: ", false)], ct);
                return AuthDecision.Success();
            },
        };
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator });
        var raw = pair.UseRaw();

        await raw.SendAsync(RawMessages.KeyboardInteractive("alice"));
        Assert.Equal(SshMessageNumber.UserAuthInfoRequest, (await raw.NextAsync())[0]);
        await raw.SendAsync(RawMessages.None("alice"));

        AuthAssert.Failure(await raw.NextAsync(), [SshAuthMethods.KeyboardInteractive, SshAuthMethods.PublicKey], false);
        await cancelled.Task.WaitAsync(AuthPair.Timeout);
        Assert.True(await raw.NothingWithinAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Other_service_ends_the_connection()
    {
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = new TestAuthenticator() });
        var raw = pair.UseRaw();

        await raw.SendAsync(RawMessages.None("alice", "ssh-userauth"));

        var error = await Assert.ThrowsAsync<SshProtocolException>(() => pair.ServerResultAsync());
        Assert.Equal(DisconnectReason.ServiceNotAvailable, error.Reason);
        await pair.ClientTransport.DisconnectReceivedTask.WaitAsync(AuthPair.Timeout);
    }

    [Fact]
    public async Task Unsolicited_info_response_is_a_protocol_error()
    {
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = new TestAuthenticator() });
        var raw = pair.UseRaw();

        await raw.SendAsync(RawMessages.InfoResponse());

        var error = await Assert.ThrowsAsync<SshProtocolException>(() => pair.ServerResultAsync());
        Assert.Equal(DisconnectReason.ProtocolError, error.Reason);
        await pair.ClientTransport.DisconnectReceivedTask.WaitAsync(AuthPair.Timeout);
        Assert.Equal(DisconnectReason.ProtocolError, pair.ClientTransport.DisconnectReceived!.Value.Reason);
    }

    [Fact]
    public async Task Requests_after_success_are_ignored()
    {
        var key = AuthTestKeys.Get(SshKeyKind.Ed25519);
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = AuthAssert.AcceptingKeys(key.PublicKey) });
        var raw = pair.UseRaw();

        await raw.SendAsync(RawMessages.Signed("alice", "ssh-ed25519", key));
        Assert.Equal(SshMessageNumber.UserAuthSuccess, (await raw.NextAsync())[0]);
        await raw.SendAsync(RawMessages.None("alice"));
        await raw.SendAsync([SshMessageNumber.UserAuthInfoResponse, 1, 2]);

        Assert.True(await raw.NothingWithinAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Null(pair.ClientTransport.DisconnectReceived);
    }

    [Fact]
    public async Task Unimplemented_method_is_refused_with_the_offered_list()
    {
        await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = new TestAuthenticator() });
        var raw = pair.UseRaw();

        await raw.SendAsync(SshMessageBuilder.Build(SshMessageNumber.UserAuthRequest, w =>
        {
            w.WriteString("alice");
            w.WriteString("ssh-connection");
            w.WriteString("password");
            w.WriteBoolean(false);
            w.WriteString("hunter2");
        }));

        AuthAssert.Failure(await raw.NextAsync(), PublicKeyOnly, false);
    }
}
