using CsCheck;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Wire;

using Gateway.Testing.Ssh;

namespace Gateway.Ssh.Tests.Auth;

/// <summary>Random and half-valid input: only <see cref="SshProtocolException"/> may come out, never another exception or a hang.</summary>
public sealed class MalformedAuthMessageTests
{
    private static readonly Gen<byte[]> RandomAuthPayload =
        Gen.Select(Gen.OneOfConst(SshMessageNumber.UserAuthRequest, SshMessageNumber.UserAuthInfoResponse), Gen.Byte.Array[0, 200],
            (number, body) => (byte[])[number, .. body]);

    /// <summary>A USERAUTH_REQUEST with a valid head (user, service, method) and a random tail, to reach the method parsers.</summary>
    private static readonly Gen<byte[]> HalfValidRequest =
        Gen.Select(Gen.OneOfConst("publickey", "keyboard-interactive", "none", "password", "hostbased"), Gen.Byte.Array[0, 120],
            (method, tail) =>
            {
                var head = SshMessageBuilder.Build(SshMessageNumber.UserAuthRequest, w =>
                {
                    w.WriteString("alice");
                    w.WriteString("ssh-connection");
                    w.WriteString(method);
                });
                return (byte[])[.. head, .. tail];
            });

    private static void AssertOnlyProtocolErrors(ServerAuthenticationLayer layer, byte[] payload)
    {
        try
        {
            var handled = layer.HandleMessageAsync(payload);
            Assert.True(handled.IsCompletedSuccessfully);
        }
        catch (SshProtocolException)
        {
            Assert.True(layer.Completion.IsFaulted);
            Assert.IsType<SshProtocolException>(layer.Completion.Exception!.InnerException);
        }
    }

    [Fact]
    public void Random_payloads_with_message_50_or_61_raise_only_protocol_errors()
    {
        RandomAuthPayload.Sample(payload =>
        {
            var (_, server) = InMemorySshTransport.CreatePair();
            using var layer = new ServerAuthenticationLayer(server, new SshServerAuthOptions { Authenticator = new TestAuthenticator() });
            AssertOnlyProtocolErrors(layer, payload);
        }, iter: 2000, threads: 1);
    }

    [Fact]
    public void Half_valid_requests_raise_only_protocol_errors()
    {
        HalfValidRequest.Sample(payload =>
        {
            var (_, server) = InMemorySshTransport.CreatePair();
            using var layer = new ServerAuthenticationLayer(server, new SshServerAuthOptions { Authenticator = new TestAuthenticator() });
            AssertOnlyProtocolErrors(layer, payload);
        }, iter: 2000, threads: 1);
    }

    [Fact]
    public async Task Random_requests_processed_by_the_server_end_in_a_reply_or_a_protocol_error()
    {
        var authenticator = new TestAuthenticator
        {
            Methods = _ => [SshAuthMethods.PublicKey, SshAuthMethods.KeyboardInteractive],
            PublicKey = (_, _) => ValueTask.FromResult(AuthDecision.Success()),
        };
        await HalfValidRequest.SampleAsync(async payload =>
        {
            await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator });
            var raw = pair.UseRaw();
            await raw.SendAsync(payload);
            var reply = raw.NextAsync();
            var finished = await Task.WhenAny(reply, pair.Server.Completion, pair.ClientTransport.DisconnectReceivedTask).WaitAsync(AuthPair.Timeout);
            if (pair.Server.Completion.IsFaulted)
                Assert.IsType<SshProtocolException>(pair.Server.Completion.Exception!.InnerException);
            if (finished == reply)
                Assert.Contains((await reply)[0], new[] { SshMessageNumber.UserAuthFailure, SshMessageNumber.UserAuthPkOk, SshMessageNumber.UserAuthSuccess, SshMessageNumber.UserAuthInfoRequest });
        }, iter: 150, threads: 1);
    }

    [Fact]
    public async Task Random_info_responses_to_a_pending_prompt_raise_only_protocol_errors()
    {
        var authenticator = new TestAuthenticator
        {
            Methods = _ => [SshAuthMethods.KeyboardInteractive],
            KeyboardInteractive = async (ctx, ct) =>
            {
                await ctx.PromptAsync("", "", [new SshPrompt("a", false), new SshPrompt("b", true)], ct);
                return AuthDecision.Success();
            },
        };
        var gen = Gen.Select(Gen.UInt[0, 3], Gen.Byte.Array[0, 60], (count, tail) => (byte[])[SshMessageNumber.UserAuthInfoResponse,
            (byte)(count >> 24), (byte)(count >> 16), (byte)(count >> 8), (byte)count, .. tail]);
        await gen.SampleAsync(async payload =>
        {
            await using var pair = AuthPair.Create(new SshServerAuthOptions { Authenticator = authenticator });
            var raw = pair.UseRaw();
            await raw.SendAsync(RawMessages.KeyboardInteractive("alice"));
            Assert.Equal(SshMessageNumber.UserAuthInfoRequest, (await raw.NextAsync())[0]);
            AssertOnlyProtocolErrors(pair.Server, payload);
        }, iter: 150, threads: 1);
    }

    [Fact]
    public async Task Random_replies_to_the_client_raise_only_expected_exceptions()
    {
        var gen = Gen.Select(Gen.OneOfConst(SshMessageNumber.UserAuthFailure, SshMessageNumber.UserAuthSuccess, SshMessageNumber.UserAuthBanner,
                SshMessageNumber.UserAuthPkOk, SshMessageNumber.UserAuthInfoResponse, (byte)79), Gen.Byte.Array[0, 80],
            (number, body) => (byte[])[number, .. body]);
        await gen.SampleAsync(async payload =>
        {
            var (client, _) = InMemorySshTransport.CreatePair();
            var layer = new ClientAuthenticationLayer(client, "alice", [AuthTestKeys.Get(Gateway.Ssh.Keys.SshKeyKind.Ed25519)], _ => ValueTask.FromResult(Array.Empty<string>()));
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            var authenticating = layer.AuthenticateAsync(cts.Token);
            await layer.HandleMessageAsync(payload);
            var error = await Record.ExceptionAsync(() => authenticating.WaitAsync(AuthPair.Timeout));
            Assert.True(error is null or SshProtocolException or SshAuthenticationException or OperationCanceledException,
                $"unexpected {error?.GetType().Name}: {error?.Message}");
        }, iter: 300, threads: 1);
    }
}
