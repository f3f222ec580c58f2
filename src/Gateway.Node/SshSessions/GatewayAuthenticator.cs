using Gateway.Config;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Keys;

namespace Gateway.Node.SshSessions;

/// <summary>
/// The embedded identity source: users declared in config with their SSH public keys, and OpenSSH
/// user certificates signed by a <c>trusted_user_ca_keys</c> CA whose principal is a user's email.
/// The SSH username itself is not an identity (OpenSSH sends the local login name by default).
/// </summary>
public sealed class GatewayAuthenticator : ISshServerAuthenticator
{
    private readonly Dictionary<SshPublicKey, UserConfig> _usersByKey = [];
    private readonly Dictionary<string, UserConfig> _usersByEmail = new(StringComparer.OrdinalIgnoreCase);
    private readonly ILogger _logger;

    public GatewayAuthenticator(GatewayConfig config, ILogger logger)
    {
        _logger = logger;
        foreach (var user in config.Users)
        {
            _usersByEmail[user.Email] = user;
            // Config admits only verifiable keys here, so every line has its decoded key.
            foreach (var key in user.SshKeys)
                _usersByKey[key.PublicKey!] = user;
        }
        TrustedCaKeys = config.TrustedUserCaKeys.Select(k => k.PublicKey!).ToList();
    }

    public IReadOnlyCollection<SshPublicKey> TrustedCaKeys { get; }

    public IReadOnlyList<string> GetMethods(SshAuthState state) => [SshAuthMethods.PublicKey];

    public ValueTask<AuthDecision> AuthenticatePublicKeyAsync(PublicKeyAuthContext context, CancellationToken ct)
    {
        if (context.Certificate is { } certificate)
        {
            // The library has already checked the CA, validity, type and critical options.
            var principal = certificate.Principals.FirstOrDefault(p => _usersByEmail.ContainsKey(p))
                ?? certificate.Principals.FirstOrDefault(p => p.Contains('@', StringComparison.Ordinal));
            if (principal is null)
            {
                if (context.HasSignature) _logger.LogInformation("ssh certificate {KeyId} refused: no principal is an email", certificate.KeyId);
                return ValueTask.FromResult(AuthDecision.Failure);
            }
            var declared = _usersByEmail.GetValueOrDefault(principal);
            return ValueTask.FromResult(AuthDecision.Success(new GatewayIdentity(principal, declared?.Name, declared?.Groups ?? [], certificate.Key, certificate.SignatureKey)));
        }
        if (_usersByKey.TryGetValue(context.Key, out var user))
            return ValueTask.FromResult(AuthDecision.Success(new GatewayIdentity(user.Email, user.Name, user.Groups, context.Key, null)));
        if (context.HasSignature) _logger.LogInformation("ssh key {Fingerprint} of {User} is not registered", SshKeys.Fingerprint(context.Key), context.Username);
        return ValueTask.FromResult(AuthDecision.Failure);
    }

    public ValueTask<AuthDecision> AuthenticateKeyboardInteractiveAsync(KeyboardInteractiveContext context, CancellationToken ct)
        => ValueTask.FromResult(AuthDecision.Failure);
}
