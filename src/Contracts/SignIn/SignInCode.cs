namespace Gateway.Contracts.SignIn;

/// <summary>Where a sign-in code stands.</summary>
public enum SignInCodeState
{
    /// <summary>Issued; the SSH connection waits for someone to confirm it in a browser.</summary>
    Pending,
    /// <summary>Confirmed by a signed-in browser: <see cref="SignInCode.SessionId"/> is set and the key is bound.</summary>
    Accepted,
    /// <summary>Refused in the browser; the waiting connection fails.</summary>
    Denied,
}

/// <summary>
/// A one-time sign-in code shown to an SSH client in the keyboard-interactive instruction
/// (<c>{authenticate_service_url}/.pomerium/sign_in?user_code=CODE</c>). One pending code per key
/// fingerprint: a second connection with the same key is shown the same code, and confirming it
/// binds the key, which lets every connection waiting with that key in.
/// </summary>
/// <param name="Code">16 random bytes, URL-safe base64 without padding</param>
/// <param name="Source">the SSH client's address, shown on the confirm page</param>
public sealed record SignInCode(
    string Code,
    string KeyFingerprint,
    string Source,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    SignInCodeState State = SignInCodeState.Pending,
    string? SessionId = null)
{
    /// <summary>How long a code may be confirmed (Pomerium's 15 minutes).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    public bool IsPendingAt(DateTimeOffset now) => State == SignInCodeState.Pending && now < ExpiresAt;
}
