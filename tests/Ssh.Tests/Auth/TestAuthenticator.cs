using System.Collections.Concurrent;
using Gateway.Ssh.Auth;

namespace Gateway.Ssh.Tests.Auth;

/// <summary>A policy assembled from delegates, recording every call.</summary>
internal sealed class TestAuthenticator : ISshServerAuthenticator
{
    public Func<SshAuthState, IReadOnlyList<string>> Methods { get; set; } = _ => [SshAuthMethods.PublicKey];

    public Func<PublicKeyAuthContext, CancellationToken, ValueTask<AuthDecision>> PublicKey { get; set; } =
        (_, _) => ValueTask.FromResult(AuthDecision.Failure);

    public Func<KeyboardInteractiveContext, CancellationToken, ValueTask<AuthDecision>> KeyboardInteractive { get; set; } =
        (_, _) => ValueTask.FromResult(AuthDecision.Failure);

    public ConcurrentQueue<PublicKeyAuthContext> PublicKeyCalls { get; } = new();
    public ConcurrentQueue<KeyboardInteractiveContext> KeyboardInteractiveCalls { get; } = new();

    public IReadOnlyList<string> GetMethods(SshAuthState state) => Methods(state);

    public ValueTask<AuthDecision> AuthenticatePublicKeyAsync(PublicKeyAuthContext context, CancellationToken cancellationToken)
    {
        PublicKeyCalls.Enqueue(context);
        return PublicKey(context, cancellationToken);
    }

    public ValueTask<AuthDecision> AuthenticateKeyboardInteractiveAsync(KeyboardInteractiveContext context, CancellationToken cancellationToken)
    {
        KeyboardInteractiveCalls.Enqueue(context);
        return KeyboardInteractive(context, cancellationToken);
    }
}
