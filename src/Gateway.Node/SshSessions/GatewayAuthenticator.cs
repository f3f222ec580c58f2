using Gateway.Actors.SignIn;
using Gateway.Config;
using Gateway.Node.SshSessions.SignIn;
using Gateway.Ssh;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Keys;

namespace Gateway.Node.SshSessions;

/// <summary>
/// The embedded identity source: users declared in config with their SSH public keys, and OpenSSH
/// user certificates signed by a <c>trusted_user_ca_keys</c> CA. A certificate identifies a user
/// only through a principal equal (ignoring case) to a configured user's email, and the identity
/// is then that user's record as configured, never the certificate's spelling: the CA vouches
/// for a name, the configuration says who that is (as sshd maps a principal to a local account).
/// Principals that name no configured user are refused. The SSH username itself is not an
/// identity (OpenSSH sends the local login name by default).
/// With sign-in configured (<see cref="SshSignIn"/>), keys and certificates of configured users
/// work as before, and any other plain key may sign in through the identity provider.
/// </summary>
public sealed class GatewayAuthenticator : ISshServerAuthenticator
{
    /// <summary>Shown to the user: the gateway runs only its own internal commands, so it cannot honour a forced one.</summary>
    public const string ForceCommandRefused =
        "gateway: certificates with force-command are refused: this gateway runs only its own commands, so it cannot enforce one; ask for a certificate without -O force-command";

    private readonly Dictionary<SshPublicKey, UserConfig> _usersByKey = [];
    private readonly Dictionary<string, UserConfig> _usersByEmail = new(StringComparer.OrdinalIgnoreCase);
    private readonly ILogger _logger;
    private readonly SshSignIn? _signIn;

    /// <param name="signInStore">the cluster's sign-in records; sign-in over SSH needs both it and <c>config.SignIn</c></param>
    public GatewayAuthenticator(GatewayConfig config, ILogger logger, ISignInStore? signInStore = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        _logger = logger;
        if (config.SignIn is { } signIn)
        {
            if (signInStore is null)
                logger.LogWarning("sign-in is configured but this node has no sign-in store: ssh keys outside users are refused");
            else
                _signIn = new SshSignIn(signIn, signInStore, logger, time);
        }
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

    /// <summary>
    /// publickey first; after a key's partial success only keyboard-interactive (the sign-in), and
    /// nothing once its sign-in was refused or timed out, so the client ends rather than asks again.
    /// </summary>
    public IReadOnlyList<string> GetMethods(SshAuthState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (_signIn is not null && state.Identity is PendingSignIn pending)
            return pending.Ended ? [] : [SshAuthMethods.KeyboardInteractive];
        return [SshAuthMethods.PublicKey];
    }

    public ValueTask<AuthDecision> AuthenticatePublicKeyAsync(PublicKeyAuthContext context, CancellationToken ct)
    {
        if (context.Certificate is { } certificate)
            return ValueTask.FromResult(AuthenticateCertificate(context, certificate));
        if (_usersByKey.TryGetValue(context.Key, out var user))
            return ValueTask.FromResult(AuthDecision.Success(new GatewayIdentity(user.Email, user.Name, user.Groups, context.Key, null)));
        if (_signIn is not null)
            return ValueTask.FromResult(_signIn.DecidePublicKey(context));
        if (context.HasSignature)
            _logger.LogInformation("ssh key {Fingerprint} of {User} is not registered", SshKeys.Fingerprint(context.Key), PeerText.Sanitize(context.Username));
        return ValueTask.FromResult(AuthDecision.Failure);
    }

    /// <summary>The library has already checked the CA, validity, type and critical options.</summary>
    private AuthDecision AuthenticateCertificate(PublicKeyAuthContext context, SshCertificate certificate)
    {
        var user = certificate.Principals.Select(p => _usersByEmail.GetValueOrDefault(p)).FirstOrDefault(u => u is not null);
        if (user is null)
        {
            // Logged for queries too: a client learns from the refused query and never signs.
            // Every refusal counts against the failure limit, which bounds these lines.
            _logger.LogInformation("ssh certificate {KeyId} refused: no principal is a configured user's email", PeerText.Sanitize(certificate.KeyId));
            return AuthDecision.Failure;
        }
        if (certificate.CriticalOptions.ContainsKey(SshCertificateValidator.ForceCommandOption))
        {
            _logger.LogInformation("ssh certificate {KeyId} of {Email} refused: it carries force-command", PeerText.Sanitize(certificate.KeyId), user.Email);
            return AuthDecision.FailureWithMessage(ForceCommandRefused);
        }
        return AuthDecision.Success(new GatewayIdentity(user.Email, user.Name, user.Groups, certificate.Key, certificate.SignatureKey, certificate));
    }

    public ValueTask<AuthDecision> AuthenticateKeyboardInteractiveAsync(KeyboardInteractiveContext context, CancellationToken ct)
        => _signIn is null ? ValueTask.FromResult(AuthDecision.Failure) : _signIn.KeyboardInteractiveAsync(context, ct);
}
