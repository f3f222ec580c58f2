using Gateway.Ssh;
using System.Net;

namespace Gateway.Ssh.Keys;

/// <summary>
/// Decides whether a certificate is acceptable, with the checks of OpenSSH's
/// <c>sshkey_cert_check_authority()</c> and <c>auth2-pubkey.c</c>, except that the CA is looked
/// up among the trusted ones before its signature is verified (cheap refusals first).
/// The publickey signature by the certified key is the caller's (auth layer's) job.
/// </summary>
public static class SshCertificateValidator
{
    public const string ForceCommandOption = "force-command";
    public const string SourceAddressOption = "source-address";
    public const string VerifyRequiredOption = "verify-required";

    /// <summary>
    /// OpenSSH's SSH_ALLOWED_CA_SIGALGS without the FIDO (sk-) types, which this library does not
    /// verify: the same list as every other signature it checks.
    /// </summary>
    public static IReadOnlyList<string> AllowedCaSignatureAlgorithms => SshKeyAlgorithms.SignatureAlgorithms;

    /// <param name="principal">The name that must be listed (the user name for user certs, host name for host certs); null skips the check.</param>
    /// <param name="sourceAddress">The peer address, checked against a <c>source-address</c> option; null fails such a certificate.</param>
    /// <param name="principalWildcards">
    /// Lets certificate principals be <c>*</c>/<c>?</c> patterns, as OpenSSH's client allows for host
    /// certificates (<c>sshkey_cert_check_host</c>); user certificates always match exactly.
    /// </param>
    public static SshCertificateValidation Validate(
        SshCertificate cert,
        IReadOnlyCollection<SshPublicKey> trustedCaKeys,
        SshCertificateType expectedType,
        string? principal,
        IPAddress? sourceAddress,
        DateTimeOffset now,
        bool principalWildcards = false)
    {
        ArgumentNullException.ThrowIfNull(cert);
        ArgumentNullException.ThrowIfNull(trustedCaKeys);

        if (cert.SignatureKey is SshCertificate)
            return Fail("Certificate signature key is itself a certificate; a CA key must be a plain key");
        // Trust first: a signature costs CPU, and a client must not make us verify signatures
        // by CAs nobody trusts (the same reason auth2-pubkey.c looks the key up before it
        // verifies the user's signature).
        if (!trustedCaKeys.Contains(cert.SignatureKey))
            return Fail($"Certificate CA key {cert.SignatureKey.KeyType} {SshKeys.Fingerprint(cert.SignatureKey)} is not a trusted CA");
        // SHA-1 is accepted here only so that the next check can name the real problem.
        if (!cert.VerifyCaSignature(allowSha1Rsa: true))
            return Fail($"Certificate CA signature ({cert.SignatureAlgorithm}) is invalid");
        if (!AllowedCaSignatureAlgorithms.Contains(cert.SignatureAlgorithm, StringComparer.Ordinal))
            return Fail($"Certificate signature algorithm {PeerText.Sanitize(cert.SignatureAlgorithm)} is not allowed");
        if (cert.Type != expectedType)
            return Fail($"Certificate type is {cert.Type.ToString().ToLowerInvariant()}, expected {expectedType.ToString().ToLowerInvariant()}");

        var seconds = now.ToUnixTimeSeconds();
        var nowRaw = seconds < 0 ? 0UL : (ulong)seconds;
        if (nowRaw < cert.ValidAfterRaw)
            return Fail($"Certificate is not yet valid (valid after {Describe(cert.ValidAfterRaw)})");
        if (nowRaw >= cert.ValidBeforeRaw)
            return Fail($"Certificate has expired (valid before {Describe(cert.ValidBeforeRaw)})");

        if (cert.Principals.Count == 0)
            return Fail("Certificate lacks principal list");
        if (principal is not null && !cert.Principals.Any(p => principalWildcards ? WildcardPattern.Matches(p, principal) : p == principal))
            return Fail($"Certificate principal list does not include \"{PeerText.Sanitize(principal)}\"");

        foreach (var (name, value) in cert.CriticalOptions)
        {
            var error = name switch
            {
                ForceCommandOption => value is null ? "Certificate force-command option has no command" : null,
                VerifyRequiredOption => value is null ? null : "Certificate verify-required option must be empty",
                SourceAddressOption => CheckSourceAddress(value, sourceAddress),
                _ => $"Certificate has unsupported critical option \"{PeerText.Sanitize(name)}\"",
            };
            if (error is not null) return Fail(error);
        }
        return SshCertificateValidation.Ok(cert);

        SshCertificateValidation Fail(string error) => SshCertificateValidation.Fail(cert, error);
    }

    private static string? CheckSourceAddress(string? list, IPAddress? sourceAddress)
    {
        if (string.IsNullOrEmpty(list)) return "Certificate source-address option is empty";
        var ranges = new List<IPNetwork>();
        foreach (var entry in list.Split(','))
        {
            if (!IPNetworks.TryParseExact(entry, out var range))
                return $"Certificate source-address option has an invalid entry \"{PeerText.Sanitize(entry)}\"";
            ranges.Add(range);
        }
        if (sourceAddress is null)
            return "Certificate source-address option is set but the source address is unknown";
        foreach (var range in ranges)
            if (range.ContainsPeer(sourceAddress)) return null;
        return $"Certificate source-address option does not permit {sourceAddress}";
    }

    private static string Describe(ulong raw) =>
        raw > (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            ? raw.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : DateTimeOffset.FromUnixTimeSeconds((long)raw).ToString("u", System.Globalization.CultureInfo.InvariantCulture);
}
