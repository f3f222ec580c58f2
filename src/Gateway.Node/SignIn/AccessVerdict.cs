using Gateway.Contracts.SignIn;
using Gateway.Policy;

namespace Gateway.Node.SignIn;

/// <summary>What a request to a route that is not public comes to.</summary>
public enum AccessOutcome
{
    Allowed,
    /// <summary>Nobody is signed in and the policy did not allow the request as it is: sign in first.</summary>
    SignInRequired,
    /// <summary>Signed in, and the policy does not allow this person (403).</summary>
    Denied,
    /// <summary>Sign-in is not configured on this gateway (401, as before sign-in existed).</summary>
    SignInNotConfigured,
}

/// <param name="Session">the signed-in session, when there is one</param>
/// <param name="Decision">the policy's decision, with its reasons for the log</param>
public sealed record AccessVerdict(AccessOutcome Outcome, SignInSession? Session, PolicyDecision? Decision);
