using Gateway.Actors.SignIn;
using Gateway.Contracts.SignIn;
using Gateway.Ssh.Keys;

namespace Gateway.Node.SshSessions.SignIn;

/// <summary>
/// Whether a key's sign-in holds, read from this node's replica of the store (never waits): the
/// key's binding exists and is unexpired, and so is the session it names. The authenticator asks
/// it to let a key in; the watcher asks it of every signed-in connection to end those whose sign-in
/// ended.
/// </summary>
public static class SignInCheck
{
    /// <summary>Why a connection is closed when its session or binding expired.</summary>
    public const string SessionExpired = "session expired";

    /// <summary>Why a connection is closed when its session or binding was removed (sign-out in a browser, <c>logout</c>).</summary>
    public const string SignedOut = "signed out";

    /// <summary>The DISCONNECT description: <c>sign-in ended: session expired</c>.</summary>
    public static string Description(string reason) => "sign-in ended: " + reason;

    /// <summary>The key's valid binding and its valid session, or null when the key must sign in.</summary>
    public static (SessionBinding Binding, SignInSession Session)? ValidFor(ISignInStore store, string keyFingerprint, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (store.FindBinding(keyFingerprint) is not { } binding || !binding.IsValidAt(now)) return null;
        if (store.FindSession(binding.SessionId) is not { } session || !session.IsValidAt(now)) return null;
        return (binding, session);
    }

    /// <summary>Null while the connection's sign-in holds, else why it ended (<see cref="SessionExpired"/>, <see cref="SignedOut"/>).</summary>
    public static string? WhyEnded(ISignInStore store, GatewayIdentity identity, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(identity);
        if (identity.SessionId is not { } sessionId) return null;
        // Past its expiry the session may already be swept from the store; it expired all the same.
        if (identity.SignInExpiresAt is { } expires && now >= expires) return SessionExpired;
        if (store.FindSession(sessionId) is not { } session) return SignedOut;
        if (!session.IsValidAt(now)) return SessionExpired;
        // The binding is what let this key in: its removal (or a new sign-in taking the key over)
        // ends the connection as surely as the session's end.
        var binding = store.FindBinding(SshKeys.Fingerprint(identity.Key));
        if (binding is null || binding.SessionId != sessionId) return SignedOut;
        if (!binding.IsValidAt(now)) return SessionExpired;
        return null;
    }

    /// <summary>The identity a valid sign-in gives a connection authenticating with <paramref name="key"/>.</summary>
    public static GatewayIdentity IdentityOf(SignInSession session, SessionBinding binding, SshPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(binding);
        return new GatewayIdentity(session.Email ?? session.Subject, session.Name, session.Groups, key, null)
        {
            SessionId = session.Id,
            Subject = session.Subject,
            Claims = session.Claims,
            SignInExpiresAt = binding.ExpiresAt < session.ExpiresAt ? binding.ExpiresAt : session.ExpiresAt,
        };
    }
}
