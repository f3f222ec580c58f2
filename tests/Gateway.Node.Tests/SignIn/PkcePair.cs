using System.Security.Cryptography;
using System.Text;

namespace Gateway.Node.Tests.SignIn;

/// <summary>A PKCE verifier and its S256 challenge (RFC 7636).</summary>
public sealed record PkcePair(string Verifier, string Challenge)
{
    public static PkcePair Create()
    {
        var verifier = Base64Url.Encode(RandomNumberGenerator.GetBytes(32));
        return new PkcePair(verifier, Base64Url.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }
}

internal static class Base64Url
{
    public static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Decode(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - padded.Length % 4) % 4));
    }
}
