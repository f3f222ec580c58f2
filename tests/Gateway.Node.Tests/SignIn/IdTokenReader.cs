using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.Node.Tests.SignIn;

/// <summary>
/// Reads an RS256 ID token after checking its signature against the provider's JWKS, so a test
/// asserts on claims the provider really signed.
/// </summary>
public static class IdTokenReader
{
    public static JsonObject VerifyAndRead(string idToken, JsonObject jwks)
    {
        var parts = idToken.Split('.');
        Assert.Equal(3, parts.Length);
        var header = JsonNode.Parse(Base64Url.Decode(parts[0]))!.AsObject();
        Assert.Equal("RS256", header["alg"]!.GetValue<string>());
        var kid = header["kid"]!.GetValue<string>();
        var key = jwks["keys"]!.AsArray().Single(k => k!["kid"]!.GetValue<string>() == kid)!;
        using var rsa = RSA.Create(new RSAParameters
        {
            Modulus = Base64Url.Decode(key["n"]!.GetValue<string>()),
            Exponent = Base64Url.Decode(key["e"]!.GetValue<string>()),
        });
        var signed = rsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.Decode(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.True(signed, "the ID token's signature does not verify with the provider's JWKS");
        return JsonNode.Parse(Base64Url.Decode(parts[1]))!.AsObject();
    }
}
