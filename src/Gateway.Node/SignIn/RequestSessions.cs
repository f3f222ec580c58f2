using Gateway.Actors.SignIn;
using Gateway.Contracts.SignIn;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Gateway.Node.SignIn;

/// <summary>
/// The signed-in session behind a request: the session cookie names a session id, and the
/// cluster's store says whether that session still exists and has not expired. A cookie whose
/// session ended (sign-out, <c>logout</c> over SSH, expiry) is worth nothing on any node.
/// </summary>
public sealed class RequestSessions
{
    private static readonly object ItemKey = new();
    private readonly ISignInStore _store;
    private readonly TimeProvider _time;

    public RequestSessions(ISignInStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    public async Task<SignInSession?> FindAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(ItemKey, out var cached))
            return cached as SignInSession;
        var result = await context.AuthenticateAsync(SignInSchemes.Cookie).ConfigureAwait(false);
        var sessionId = result.Succeeded ? result.Principal?.FindFirst(SignInSchemes.SessionIdClaim)?.Value : null;
        var session = sessionId is null ? null : _store.FindSession(sessionId);
        if (session is not null && !session.IsValidAt(_time.GetUtcNow()))
            session = null;
        context.Items[ItemKey] = session;
        return session;
    }

    /// <summary>The session <see cref="FindAsync"/> found for this request, if it ran and found one.</summary>
    public static SignInSession? Found(HttpContext context)
        => context.Items.TryGetValue(ItemKey, out var cached) ? cached as SignInSession : null;
}
