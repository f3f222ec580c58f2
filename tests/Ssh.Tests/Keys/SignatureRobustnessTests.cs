using System.Security.Cryptography;
using CsCheck;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Keys;

/// <summary>Verify() refuses weak or malformed signatures without throwing.</summary>
public sealed class SignatureRobustnessTests(GeneratedKeysFixture keys) : IClassFixture<GeneratedKeysFixture>
{
    private readonly SshPrivateKey[] _keys = [keys.Ed25519, keys.EcdsaP256, keys.EcdsaP384, keys.Rsa];

    private static byte[] SignatureBlob(string algorithm, byte[] signature) =>
        SshMessageBuilder.Build(w =>
        {
            w.WriteString(algorithm);
            w.WriteBinary(signature);
        });

    [Fact]
    public void Sha1_ssh_rsa_signature_is_refused_even_when_mathematically_valid()
    {
        using var rsa = RSA.Create(2048);
        var pub = new RsaPublicKey(rsa.ExportParameters(false).Exponent, rsa.ExportParameters(false).Modulus);
        var data = "data"u8.ToArray();
        var sha1 = rsa.SignData(data, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);
        Assert.False(pub.Verify("ssh-rsa", data, SignatureBlob("ssh-rsa", sha1)));
        Assert.False(pub.Verify("rsa-sha2-256", data, SignatureBlob("ssh-rsa", sha1)));

        var sha256 = rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.True(pub.Verify("rsa-sha2-256", data, SignatureBlob("rsa-sha2-256", sha256)));
        // The algorithm named by the caller and inside the blob must agree.
        Assert.False(pub.Verify("rsa-sha2-512", data, SignatureBlob("rsa-sha2-256", sha256)));
    }

    [Fact]
    public void Rsa_keys_under_1024_bits_parse_but_never_verify()
    {
        using var rsa = RSA.Create(768);
        var p = rsa.ExportParameters(false);
        var blob = SshMessageBuilder.Build(w =>
        {
            w.WriteString("ssh-rsa");
            w.WriteMPInt(p.Exponent);
            w.WriteMPInt(p.Modulus);
        });
        var pub = Assert.IsType<RsaPublicKey>(SshKeys.ParsePublicKey(blob));
        Assert.Equal(768, pub.KeySizeBits);
        var data = "data"u8.ToArray();
        var signature = rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.False(pub.Verify("rsa-sha2-256", data, SignatureBlob("rsa-sha2-256", signature)));
    }

    [Fact]
    public void Rsa_key_with_a_superfluous_leading_zero_in_an_mpint_is_refused()
    {
        var rsa = Assert.IsType<RsaPublicKey>(_keys[3].PublicKey);
        var nonCanonical = SshMessageBuilder.Build(w =>
        {
            w.WriteString("ssh-rsa");
            w.WriteBinary([0, .. rsa.Exponent.Span]);
            w.WriteMPInt(rsa.Modulus.Span);
        });
        Assert.Contains("canonically", Assert.Throws<SshProtocolException>(() => SshKeys.ParsePublicKey(nonCanonical)).Message);
    }

    [Fact]
    public void Rsa_signature_shorter_than_the_modulus_is_left_padded_like_OpenSSH()
    {
        using var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(false);
        var pub = new RsaPublicKey(p.Exponent, p.Modulus);
        // About one signature in 256 starts with a zero byte; some encoders strip it.
        for (var i = 0; i < 20_000; i++)
        {
            var data = BitConverter.GetBytes(i);
            var signature = rsa.SignData(data, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);
            if (signature[0] != 0) continue;
            Assert.True(pub.Verify("rsa-sha2-512", data, SignatureBlob("rsa-sha2-512", signature[1..])));
            Assert.True(pub.Verify("rsa-sha2-512", data, SignatureBlob("rsa-sha2-512", signature)));
            return;
        }
        Assert.Fail("no signature with a leading zero byte in 20000 attempts");
    }

    [Fact]
    public void Ed25519_signature_must_be_64_bytes()
    {
        var key = _keys[0];
        var data = "d"u8.ToArray();
        var good = key.Sign("ssh-ed25519", data);
        var reader = new SshReader(good);
        reader.ReadString();
        var raw = reader.ReadBinary().ToArray();
        Assert.True(key.PublicKey.Verify("ssh-ed25519", data, SignatureBlob("ssh-ed25519", raw)));
        Assert.False(key.PublicKey.Verify("ssh-ed25519", data, SignatureBlob("ssh-ed25519", raw[..63])));
        Assert.False(key.PublicKey.Verify("ssh-ed25519", data, SignatureBlob("ssh-ed25519", [.. raw, 0])));
    }

    [Fact]
    public void Ed25519_public_key_that_is_not_a_curve_point_verifies_nothing()
    {
        // y = 2 is not the y-coordinate of any point on edwards25519.
        var notAPoint = new byte[32];
        notAPoint[0] = 2;
        var pub = new Ed25519PublicKey(notAPoint);
        Assert.False(pub.Verify("ssh-ed25519", "x"u8, SignatureBlob("ssh-ed25519", new byte[64])));
    }

    [Fact]
    public void Ecdsa_signature_with_out_of_range_or_extra_fields_is_refused()
    {
        var key = _keys[1];
        var data = "d"u8.ToArray();
        var good = key.Sign("ecdsa-sha2-nistp256", data);
        var reader = new SshReader(good);
        reader.ReadString();
        var inner = reader.ReadBinary().ToArray();
        Assert.True(key.PublicKey.Verify("ecdsa-sha2-nistp256", data, SignatureBlob("ecdsa-sha2-nistp256", inner)));
        Assert.False(key.PublicKey.Verify("ecdsa-sha2-nistp256", data, SignatureBlob("ecdsa-sha2-nistp256", [.. inner, 0, 0, 0, 0])));
        var oversized = SshMessageBuilder.Build(w =>
        {
            w.WriteMPInt(Enumerable.Repeat((byte)1, 33).ToArray());
            w.WriteMPInt([1]);
        });
        Assert.False(key.PublicKey.Verify("ecdsa-sha2-nistp256", data, SignatureBlob("ecdsa-sha2-nistp256", oversized)));
        var zeros = SshMessageBuilder.Build(w =>
        {
            w.WriteMPInt([]);
            w.WriteMPInt([]);
        });
        Assert.False(key.PublicKey.Verify("ecdsa-sha2-nistp256", data, SignatureBlob("ecdsa-sha2-nistp256", zeros)));
    }

    [Fact]
    public void Random_signature_blobs_never_throw_and_never_verify()
    {
        var gen = Gen.Select(Gen.Int[0, _keys.Length - 1], Gen.Byte.Array[0, 300], Gen.Bool);
        gen.Sample((keyIndex, bytes, wrap) =>
        {
            var key = _keys[keyIndex];
            foreach (var algorithm in key.SignatureAlgorithms)
            {
                var blob = wrap ? SignatureBlob(algorithm, bytes) : bytes;
                Assert.False(key.PublicKey.Verify(algorithm, "data"u8, blob));
            }
        }, iter: 1500);
    }

    [Fact]
    public void Signature_from_another_key_of_the_same_type_fails()
    {
        using var other = SshKeys.Generate(SshKeyKind.Ed25519);
        var data = "d"u8.ToArray();
        Assert.False(_keys[0].PublicKey.Verify("ssh-ed25519", data, other.Sign("ssh-ed25519", data)));
    }
}
