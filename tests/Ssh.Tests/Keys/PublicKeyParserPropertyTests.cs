using CsCheck;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Keys;

/// <summary>Whatever bytes arrive, parsing a public key ends in a key or an SshProtocolException.</summary>
public sealed class PublicKeyParserPropertyTests : IClassFixture<GeneratedKeysFixture>
{
    private static readonly string[] TypeNames =
    [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
        "ssh-ed25519-cert-v01@openssh.com", "ecdsa-sha2-nistp256-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com",
        "ssh-dss", "-cert-v01@openssh.com", "",
    ];

    private readonly SshPrivateKey[] _keys;
    private readonly byte[][] _seeds;

    public PublicKeyParserPropertyTests(GeneratedKeysFixture keys)
    {
        _keys = [keys.Ed25519, keys.EcdsaP256, keys.EcdsaP521, keys.Rsa];
        var seeds = _keys.Select(k => k.PublicKey.Blob.ToArray()).ToList();
        var withOptions = new CertificateBuilder(_keys[3].PublicKey, _keys[0]);
        withOptions.CriticalOptions.Add(("source-address", CertificateBuilder.StringValue("10.0.0.0/8")));
        withOptions.Extensions.Add(("permit-pty", []));
        seeds.Add(withOptions.Build());
        seeds.Add(new CertificateBuilder(_keys[0].PublicKey, _keys[1]).Build());
        seeds.Add(new CertificateBuilder(_keys[1].PublicKey, _keys[3]).Build());
        _seeds = [.. seeds];
    }

    /// <summary>The property: only SshProtocolException may escape, and TryParse agrees with Parse.</summary>
    private static void ParsesOrRefusesCleanly(byte[] blob)
    {
        SshPublicKey? parsed = null;
        try
        {
            parsed = SshKeys.ParsePublicKey(blob);
        }
        catch (SshProtocolException e)
        {
            Assert.Equal(DisconnectReason.ProtocolError, e.Reason);
        }
        var ok = SshKeys.TryParsePublicKey(blob, out var tried);
        Assert.Equal(parsed is not null, ok);
        if (parsed is not null)
        {
            Assert.Equal(parsed, tried);
            // A key that parsed must re-encode to exactly the bytes it came from.
            Assert.Equal(blob, parsed.Blob.ToArray());
            // And verifying garbage with it must not throw.
            Assert.False(parsed.Verify(parsed.KeyType, blob, blob));
        }
    }

    [Fact]
    public void Seeds_parse()
    {
        foreach (var seed in _seeds)
            Assert.Equal(seed, SshKeys.ParsePublicKey(seed).Blob.ToArray());
    }

    [Fact]
    public void Random_bytes()
    {
        Gen.Byte.Array[0, 300].Sample(ParsesOrRefusesCleanly, iter: 3000);
    }

    [Fact]
    public void Known_type_name_followed_by_random_fields()
    {
        var gen = Gen.Select(Gen.Int[0, TypeNames.Length - 1], Gen.Byte.Array[0, 200], Gen.UInt[0, 300]);
        gen.Sample((typeIndex, tail, length) =>
        {
            // A plausible first field length so the parser gets past the first string more often.
            var blob = SshMessageBuilder.Build(w =>
            {
                w.WriteString(TypeNames[typeIndex]);
                w.WriteUInt32(length);
                w.WriteRaw(tail);
            });
            ParsesOrRefusesCleanly(blob);
        }, iter: 3000);
    }

    [Fact]
    public void Every_truncation_of_a_valid_blob_is_refused()
    {
        foreach (var seed in _seeds)
            for (var length = 0; length < seed.Length; length++)
            {
                Assert.Throws<SshProtocolException>(() => SshKeys.ParsePublicKey(seed.AsSpan(0, length)));
                Assert.False(SshKeys.TryParsePublicKey(seed.AsSpan(0, length), out _));
            }
    }

    [Fact]
    public void Mutated_valid_blobs()
    {
        var edit = Gen.Select(Gen.Int[0, 2], Gen.Int[0, 100_000], Gen.Byte);
        var gen = Gen.Select(Gen.Int[0, _seeds.Length - 1], edit.Array[1, 4]);
        gen.Sample((seedIndex, edits) =>
        {
            var blob = new List<byte>(_seeds[seedIndex]);
            foreach (var (kind, position, value) in edits)
            {
                var at = position % (blob.Count + 1);
                switch (kind)
                {
                    case 0 when at < blob.Count: blob[at] = value; break;
                    case 1: blob.Insert(at, value); break;
                    case 2 when at < blob.Count: blob.RemoveAt(at); break;
                }
            }
            ParsesOrRefusesCleanly([.. blob]);
        }, iter: 4000);
    }

    [Fact]
    public void Length_fields_set_to_extreme_values()
    {
        var gen = Gen.Select(Gen.Int[0, _seeds.Length - 1], Gen.Int[0, 100_000], Gen.OneOfConst(0u, 1u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu, 65u, 4096u));
        gen.Sample((seedIndex, position, value) =>
        {
            var blob = (byte[])_seeds[seedIndex].Clone();
            var at = position % (blob.Length - 3);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(at), value);
            ParsesOrRefusesCleanly(blob);
        }, iter: 3000);
    }
}
