namespace Gateway.Policy;

/// <summary>
/// Reason codes carried in <see cref="PolicyDecision.Reasons"/> after the criterion path
/// (<c>allow.or[0].email: email-ok</c>). Names follow Pomerium's where it has one.
/// </summary>
public static class PolicyReasons
{
    public const string Accept = "accept";
    public const string Reject = "reject";
    public const string UserOk = "user-ok";
    public const string UserUnauthorized = "user-unauthorized";
    public const string UserUnauthenticated = "user-unauthenticated";
    public const string EmailOk = "email-ok";
    public const string EmailUnauthorized = "email-unauthorized";
    public const string DomainOk = "domain-ok";
    public const string DomainUnauthorized = "domain-unauthorized";
    public const string GroupsOk = "groups-ok";
    public const string GroupsUnauthorized = "groups-unauthorized";
    public const string ClaimOk = "claim-ok";
    public const string ClaimUnauthorized = "claim-unauthorized";
    public const string SourceIpOk = "source-ip-ok";
    public const string SourceIpUnauthorized = "source-ip-unauthorized";
    public const string SshUsernameOk = "ssh-username-ok";
    public const string SshUsernameUnauthorized = "ssh-username-unauthorized";
    public const string SshPublicKeyOk = "ssh-publickey-ok";
    public const string SshPublicKeyUnauthorized = "ssh-publickey-unauthorized";
    public const string HttpMethodOk = "http-method-ok";
    public const string HttpMethodUnauthorized = "http-method-unauthorized";
    public const string HttpPathOk = "http-path-ok";
    public const string HttpPathUnauthorized = "http-path-unauthorized";

    /// <summary>The policy has no allow rule at all (empty or deny-only): nobody is admitted.</summary>
    public const string NoAllowRules = "no-allow-rules";
}
