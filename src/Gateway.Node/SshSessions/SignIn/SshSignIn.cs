using System.Net;
using Gateway.Actors.SignIn;
using Gateway.Config;
using Gateway.Contracts.SignIn;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Keys;

namespace Gateway.Node.SshSessions.SignIn;

/// <summary>
/// Signing in over SSH, as the reference does it: any key passes publickey (the key is what a
/// sign-in gets bound to); a key with a valid binding is its session's person at once, any other
/// gets partial success and then keyboard-interactive, which shows the sign-in URL (one
/// INFO_REQUEST, no prompts) and waits until a binding for the key appears, the code is refused
/// or expires, or the attempt ends. The wait is also bounded by the login grace time, which the
/// library enforces for the whole authentication.
/// </summary>
public sealed class SshSignIn
{
    /// <summary>The INFO_REQUEST's name, Pomerium's for an OpenID Connect provider.</summary>
    public const string PromptName = "Please sign in to continue";

    /// <summary>Shown when the code was refused in the browser (Pomerium's text).</summary>
    public const string CodeDenied = "user has denied this code";

    /// <summary>Shown when the code expired before anyone confirmed it (Pomerium's text).</summary>
    public const string CodeTimedOut = "authentication request timeout";

    /// <summary>How often the store is read while waiting, besides its <see cref="ISignInStore.Changed"/> event (Pomerium polls at 150 ms).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(150);

    private readonly SignInConfig _config;
    private readonly ISignInStore _store;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public SshSignIn(SignInConfig config, ISignInStore store, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(store);
        _config = config;
        _store = store;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary><c>{authenticate_service_url}.pomerium/sign_in?user_code={code}</c> (the URL ends with "/").</summary>
    public string SignInUrl(string code) => _config.AuthenticateServiceUrl.AbsoluteUri + ".pomerium/sign_in?user_code=" + Uri.EscapeDataString(code);

    /// <summary>A key that is no configured user's: accepted for the query; signed, either its sign-in's person or partial success.</summary>
    public AuthDecision DecidePublicKey(PublicKeyAuthContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // A query only learns that the key would do (PK_OK); nothing is granted before the signature.
        if (!context.HasSignature) return AuthDecision.PartialSuccess();
        if (SignInCheck.ValidFor(_store, SshKeys.Fingerprint(context.Key), _time.GetUtcNow()) is { } valid)
            return AuthDecision.Success(SignInCheck.IdentityOf(valid.Session, valid.Binding, context.Key));
        return AuthDecision.PartialSuccess(new PendingSignIn(context.Key));
    }

    public async ValueTask<AuthDecision> KeyboardInteractiveAsync(KeyboardInteractiveContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.State.Identity is not PendingSignIn pending || pending.Ended) return AuthDecision.Failure;
        var now = _time.GetUtcNow();
        // Signed in through another connection meanwhile: no URL needed.
        if (SignInCheck.ValidFor(_store, pending.Fingerprint, now) is { } valid)
            return AuthDecision.Success(SignInCheck.IdentityOf(valid.Session, valid.Binding, pending.Key));

        var source = SourceOf(context.RemoteEndPoint);
        var code = await _store.IssueCodeAsync(pending.Fingerprint, source, now, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("ssh sign-in: code {Code}… ({How}) for key {Fingerprint} from {Source}, valid until {ExpiresAt:yyyy-MM-dd HH:mm:ss}Z",
            code.Code[..Math.Min(4, code.Code.Length)], code.IssuedAt == now ? "issued" : "reused", pending.Fingerprint, source, code.ExpiresAt.UtcDateTime);
        await context.PromptAsync(PromptName, SignInUrl(code.Code), cancellationToken: cancellationToken).ConfigureAwait(false);

        var outcome = await WaitAsync(pending, code.Code, cancellationToken).ConfigureAwait(false);
        if (outcome.Identity is not null) return AuthDecision.Success(outcome.Identity);
        // No new code on this connection: the client is told why and offered no further method.
        pending.Ended = true;
        _logger.LogInformation("ssh sign-in: key {Fingerprint} from {Source}: {Reason}", pending.Fingerprint, source, outcome.Message);
        return AuthDecision.FailureWithMessage(outcome.Message!);
    }

    private readonly record struct Outcome(GatewayIdentity? Identity, string? Message);

    /// <summary>Reads the store at every change and every <see cref="PollInterval"/> until the key is bound or the code is over.</summary>
    private async Task<Outcome> WaitAsync(PendingSignIn pending, string code, CancellationToken cancellationToken)
    {
        using var changed = new SemaphoreSlim(0, 1);
        void OnChanged()
        {
            try
            {
                if (changed.CurrentCount == 0) changed.Release();
            }
            catch (Exception ex) when (ex is SemaphoreFullException or ObjectDisposedException)
            {
                // Already signalled, or the wait is over.
            }
        }
        _store.Changed += OnChanged;
        try
        {
            while (true)
            {
                var now = _time.GetUtcNow();
                // Any binding for this key counts, whichever code made it: one sign-in lets in every
                // connection waiting with the key, on any node, even one shown a different code.
                if (SignInCheck.ValidFor(_store, pending.Fingerprint, now) is { } valid)
                    return new Outcome(SignInCheck.IdentityOf(valid.Session, valid.Binding, pending.Key), null);
                var current = _store.FindCode(code);
                if (current is { State: SignInCodeState.Denied }) return new Outcome(null, CodeDenied);
                // Removed (it expired) or past its lifetime; an accepted code's binding shows up above.
                if (current is null || now >= current.ExpiresAt) return new Outcome(null, CodeTimedOut);
                await changed.WaitAsync(PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _store.Changed -= OnChanged;
        }
    }

    private static string SourceOf(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint ip => (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString(),
        null => "unknown",
        _ => endPoint.ToString() ?? "unknown",
    };
}
