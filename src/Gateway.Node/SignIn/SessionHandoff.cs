using Microsoft.AspNetCore.DataProtection;

namespace Gateway.Node.SignIn;

/// <summary>
/// Short-lived tokens the gateway gives itself through the browser, protected (encrypted and
/// authenticated) with the cluster's Data Protection keys, so any node can read what any other
/// wrote:
/// the hand-off from the authenticate host to a route's host (the session id, bound to that host
/// and that redirect, valid 2 minutes), and the confirm form's token for an SSH code (bound to the
/// session and the code, valid as long as a code is).
/// </summary>
public sealed class SessionHandoff
{
    public static readonly TimeSpan HandoffLifetime = TimeSpan.FromMinutes(2);

    private readonly ITimeLimitedDataProtector _handoff;
    private readonly ITimeLimitedDataProtector _confirm;

    public SessionHandoff(IDataProtectionProvider provider)
    {
        _handoff = provider.CreateProtector("gateway.sign-in.handoff").ToTimeLimitedDataProtector();
        _confirm = provider.CreateProtector("gateway.sign-in.confirm-code").ToTimeLimitedDataProtector();
    }

    public string ProtectHandoff(string sessionId, Uri redirect)
        => _handoff.Protect(string.Join('\n', sessionId, redirect.Host.ToLowerInvariant(), redirect.AbsoluteUri), HandoffLifetime);

    /// <summary>The session id, when the token is genuine, unexpired and was made for this host and this redirect.</summary>
    public string? UnprotectHandoff(string token, string host, string redirect)
    {
        var parts = Unprotect(_handoff, token)?.Split('\n');
        if (parts is not { Length: 3 })
            return null;
        return parts[1] == host.ToLowerInvariant() && parts[2] == redirect ? parts[0] : null;
    }

    public string ProtectConfirm(string sessionId, string code)
        => _confirm.Protect(sessionId + "\n" + code, Contracts.SignIn.SignInCode.Lifetime);

    public bool ConfirmMatches(string token, string sessionId, string code)
        => Unprotect(_confirm, token) == sessionId + "\n" + code;

    private static string? Unprotect(ITimeLimitedDataProtector protector, string token)
    {
        try
        {
            return protector.Unprotect(token, out _);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
