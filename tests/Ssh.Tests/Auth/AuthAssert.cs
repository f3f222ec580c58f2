using Gateway.Ssh.Auth;
using Gateway.Ssh.Keys;

namespace Gateway.Ssh.Tests.Auth;

internal static class AuthAssert
{
    /// <summary>An authenticator that accepts exactly the given plain keys (queries and signed requests).</summary>
    public static TestAuthenticator AcceptingKeys(params SshPublicKey[] keys) => new()
    {
        PublicKey = (ctx, _) => ValueTask.FromResult(keys.Contains(ctx.Key) ? AuthDecision.Success(identity: ctx.Username) : AuthDecision.Failure),
    };

    public static async Task<Exception> ClientFailsAsync(ClientAuthenticationLayer client)
    {
        var ex = await Record.ExceptionAsync(() => client.AuthenticateAsync(CancellationToken.None).WaitAsync(AuthPair.Timeout));
        Assert.NotNull(ex);
        Assert.IsNotType<TimeoutException>(ex);
        return ex!;
    }

    public static (string[] Methods, bool Partial) ParseFailure(byte[] message)
    {
        Assert.Equal(Gateway.Ssh.Wire.SshMessageNumber.UserAuthFailure, message[0]);
        var r = new Gateway.Ssh.Wire.SshReader(message);
        r.ReadByte();
        var methods = r.ReadNameList();
        var partial = r.ReadBoolean();
        r.EnsureEnd();
        return (methods, partial);
    }

    public static void Failure(byte[] message, string[] methods, bool partial)
    {
        var (actualMethods, actualPartial) = ParseFailure(message);
        Assert.Equal(methods, actualMethods);
        Assert.Equal(partial, actualPartial);
    }
}
