using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Contracts.SignIn;
using Gateway.Node.Secrets;

namespace Gateway.Node.SignIn;

/// <summary>
/// Signs the identity assertion a route's upstream receives (<c>X-Pomerium-Jwt-Assertion</c>): a
/// JWT (ES256) with this node's own P-256 key, kept in <c>data_dir</c> so restarts keep it. Every
/// node publishes its public key into the cluster's store, and every node's JWKS document lists all
/// of them, so an upstream can verify an assertion whichever node the request came through.
/// </summary>
public sealed class AssertionSigner : IDisposable
{
    /// <summary>An assertion is for one request; a short life limits what a leaked one is worth.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly ECDsa _key;
    private readonly TimeProvider _time;

    public AssertionSigner(string dataDir, TimeProvider time)
    {
        _time = time;
        var path = Path.Combine(dataDir, "assertion-signing-key.pem");
        _key = ECDsa.Create();
        if (File.Exists(path))
            _key.ImportFromPem(File.ReadAllText(path));
        else
        {
            _key.GenerateKey(ECCurve.NamedCurves.nistP256);
            Directory.CreateDirectory(dataDir);
            PrivateFile.WriteAtomically(path, _key.ExportECPrivateKeyPem(), overwrite: false);
        }
        var parameters = _key.ExportParameters(includePrivateParameters: false);
        var x = Base64Url(parameters.Q.X!);
        var y = Base64Url(parameters.Q.Y!);
        // RFC 7638 thumbprint: the members in lexicographic order, no spaces.
        KeyId = Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes($"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{x}\",\"y\":\"{y}\"}}")));
        PublicJwk = JsonSerializer.Serialize(new { kty = "EC", crv = "P-256", x, y, kid = KeyId, use = "sig", alg = "ES256" });
    }

    public string KeyId { get; }

    /// <summary>This node's public key as a JWK (JSON).</summary>
    public string PublicJwk { get; }

    /// <param name="issuer">the authenticate service's host</param>
    /// <param name="audience">the route's host</param>
    public string Sign(SignInSession session, string issuer, string audience)
    {
        var now = _time.GetUtcNow();
        var header = JsonSerializer.SerializeToUtf8Bytes(new { alg = "ES256", kid = KeyId, typ = "JWT" });
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
        {
            ["iss"] = issuer,
            ["aud"] = audience,
            ["sub"] = session.Subject,
            ["user"] = session.Subject,
            ["email"] = session.Email,
            ["name"] = session.Name,
            ["groups"] = session.Groups,
            ["sid"] = session.Id,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + Lifetime).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        });
        var signingInput = Base64Url(header) + "." + Base64Url(payload);
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url(signature);
    }

    public static string Base64Url(ReadOnlySpan<byte> bytes)
        => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose() => _key.Dispose();
}
