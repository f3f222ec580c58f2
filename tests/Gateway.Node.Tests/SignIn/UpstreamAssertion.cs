using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Testing.SignIn;

namespace Gateway.Node.Tests.SignIn;

/// <summary>
/// The identity assertion as an upstream sees it: the <c>X-Pomerium-Jwt-Assertion</c> line in a
/// page of <c>HeaderEchoUpstream</c> (which echoes the request head), checked as an upstream would.
/// </summary>
internal static class UpstreamAssertion
{
    private const string Header = "X-Pomerium-Jwt-Assertion: ";

    /// <summary>The assertion in a browser snapshot of the echoed request head.</summary>
    public static string In(BrowserSnapshot seen)
    {
        Assert.Equal(200, seen.Status);
        return seen.Text.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith(Header, StringComparison.Ordinal))[Header.Length..];
    }

    /// <summary>The <c>sid</c> claim (the session) of the assertion in the snapshot named "route".</summary>
    public static string SessionId(BrowserResult run)
    {
        using var json = JsonDocument.Parse(Base64UrlDecode(In(run.Snapshots["route"]).Split('.')[1]));
        return json.RootElement.GetProperty("sid").GetString()!;
    }

    /// <summary>Checks an ES256 JWT against the JWKS document's key of the same kid; returns its claims.</summary>
    public static JsonElement VerifyEs256(string jwt, string jwksJson)
    {
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        using var header = JsonDocument.Parse(Base64UrlDecode(parts[0]));
        Assert.Equal("ES256", header.RootElement.GetProperty("alg").GetString());
        var kid = header.RootElement.GetProperty("kid").GetString();
        using var jwks = JsonDocument.Parse(jwksJson);
        var key = jwks.RootElement.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("kid").GetString() == kid);
        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64UrlDecode(key.GetProperty("x").GetString()!), Y = Base64UrlDecode(key.GetProperty("y").GetString()!) },
        });
        Assert.True(ecdsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64UrlDecode(parts[2]), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            "the assertion's signature does not verify");
        return JsonDocument.Parse(Base64UrlDecode(parts[1])).RootElement.Clone();
    }

    private static byte[] Base64UrlDecode(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}
