using System.Diagnostics;
using Gateway.Ssh.Keys;

using Gateway.Testing;

namespace Gateway.Ssh.Tests.Keys;

/// <summary>PKCS#1, SEC 1 and PKCS#8 PEM private keys load through .NET (and BouncyCastle for Ed25519).</summary>
public class PemFormatTests
{
    [Theory]
    [InlineData("rsa", 2048, "PEM", "-----BEGIN RSA PRIVATE KEY-----")]
    [InlineData("ecdsa", 256, "PEM", "-----BEGIN EC PRIVATE KEY-----")]
    [InlineData("ecdsa", 521, "PEM", "-----BEGIN EC PRIVATE KEY-----")]
    [InlineData("rsa", 2048, "PKCS8", "-----BEGIN PRIVATE KEY-----")]
    [InlineData("ecdsa", 384, "PKCS8", "-----BEGIN PRIVATE KEY-----")]
    public void Ssh_keygen_pem_key_loads_with_the_same_public_key(string type, int bits, string format, string header)
    {
        using var dir = new TempDirectory();
        var path = dir.File("id");
        SshKeygen.CreateKey(path, type, bits);
        // Rewrites the private key file in the requested format (no passphrase).
        SshKeygen.Ok("-q", "-p", "-P", "", "-N", "", "-m", format, "-f", path);
        var pem = File.ReadAllText(path);
        Assert.StartsWith(header, pem);

        using var key = SshKeys.LoadPrivateKey(pem);
        Assert.Equal(SshKeys.ParseAuthorizedKey(File.ReadAllText(path + ".pub")), key.PublicKey);
    }

    [Fact]
    public void Pkcs8_ed25519_key_from_openssl_loads_and_signs()
    {
        using var dir = new TempDirectory();
        var path = dir.File("ed.pem");
        var start = new ProcessStartInfo("openssl") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "genpkey", "-algorithm", "ed25519", "-out", path }) start.ArgumentList.Add(a);
        using (var process = Process.Start(start)!)
        {
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "openssl did not finish");
            Assert.Equal(0, process.ExitCode);
        }

        using var key = SshKeys.LoadPrivateKey(File.ReadAllText(path));
        Assert.Equal("ssh-ed25519", key.PublicKey.KeyType);
        var data = "x"u8.ToArray();
        Assert.True(key.PublicKey.Verify("ssh-ed25519", data, key.Sign("ssh-ed25519", data)));
    }

    [Fact]
    public void Ec_key_with_a_leading_ec_parameters_block_loads()
    {
        using var ecdsa = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        // openssl ecparam -genkey writes the curve parameters block first.
        var pem = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + ecdsa.ExportECPrivateKeyPem();
        using var key = SshKeys.LoadPrivateKey(pem);
        Assert.Equal("ecdsa-sha2-nistp256", key.PublicKey.KeyType);
        var p = ecdsa.ExportParameters(false);
        Assert.Equal([0x04, .. p.Q.X!, .. p.Q.Y!], ((EcdsaPublicKey)key.PublicKey).Point.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a key")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n")]
    public void Garbage_is_a_format_exception(string text)
    {
        Assert.Throws<FormatException>(() => SshKeys.LoadPrivateKey(text));
    }
}
