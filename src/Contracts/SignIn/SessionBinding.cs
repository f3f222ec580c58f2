namespace Gateway.Contracts.SignIn;

/// <summary>
/// An SSH public key bound to a sign-in session, made when a person confirms a sign-in code in
/// the browser. A connection authenticating with that key is that person until the binding
/// expires or its session ends.
/// </summary>
/// <param name="KeyFingerprint">OpenSSH's <c>SHA256:...</c> fingerprint of the plain key (a certificate's certified key)</param>
/// <param name="Source">the address the code was asked from, shown when confirming</param>
public sealed record SessionBinding(
    string KeyFingerprint,
    string SessionId,
    string Source,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt)
{
    public bool IsValidAt(DateTimeOffset now) => now < ExpiresAt;
}
