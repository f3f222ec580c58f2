namespace Gateway.Ssh.Keys;

/// <summary>
/// Outcome of <see cref="SshCertificateValidator.Validate"/>. On success it also carries the
/// decoded restrictions the caller must apply (force-command, verify-required, extensions).
/// </summary>
public sealed class SshCertificateValidation
{
    private SshCertificateValidation(bool success, string? error, SshCertificate certificate)
    {
        Success = success;
        Error = error;
        Certificate = certificate;
    }

    public bool Success { get; }

    /// <summary>Human-readable name of the failed check; null on success.</summary>
    public string? Error { get; }

    public SshCertificate Certificate { get; }

    /// <summary>The <c>force-command</c> critical option, if present.</summary>
    public string? ForceCommand => Certificate.CriticalOptions.TryGetValue(SshCertificateValidator.ForceCommandOption, out var c) ? c : null;

    /// <summary>True when the <c>verify-required</c> option demands a user-verified (FIDO) signature.</summary>
    public bool VerifyRequired => Certificate.CriticalOptions.ContainsKey(SshCertificateValidator.VerifyRequiredOption);

    /// <summary>The certificate's extensions (unknown ones included; the caller decides what they grant).</summary>
    public IReadOnlyList<string> Extensions => Certificate.Extensions;

    public bool PermitsPortForwarding => Certificate.HasExtension("permit-port-forwarding");
    public bool PermitsPty => Certificate.HasExtension("permit-pty");

    internal static SshCertificateValidation Ok(SshCertificate certificate) => new(true, null, certificate);
    internal static SshCertificateValidation Fail(SshCertificate certificate, string error) => new(false, error, certificate);

    public override string ToString() => Success ? "certificate valid" : Error!;
}
