using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Keys;

/// <summary>
/// OpenSSH's private key container (PROTOCOL.key): <c>"openssh-key-v1\0", string cipher,
/// string kdf, string kdfoptions, uint32 nkeys, string pubkey…, string private-section</c>.
/// Only unencrypted files (cipher and kdf "none") are supported.
/// </summary>
internal static class OpenSshPrivateKeyFormat
{
    public const string PemLabel = "OPENSSH PRIVATE KEY";
    private static readonly byte[] Magic = "openssh-key-v1\0"u8.ToArray();
    private const int BlockSize = 8; // cipher "none"

    public static SshPrivateKey Read(byte[] data)
    {
        try
        {
            return ReadCore(data);
        }
        catch (SshProtocolException e)
        {
            throw new FormatException($"malformed OpenSSH private key: {e.Message}", e);
        }
        catch (CryptographicException e)
        {
            throw new FormatException($"invalid OpenSSH private key: {e.Message}", e);
        }
    }

    private static SshPrivateKey ReadCore(byte[] data)
    {
        if (!data.AsSpan().StartsWith(Magic)) throw new FormatException("not an OpenSSH private key (bad magic)");
        var reader = new SshReader(data.AsSpan(Magic.Length));
        var cipher = reader.ReadString();
        var kdf = reader.ReadString();
        reader.ReadBinary(); // kdf options
        if (cipher != "none" || kdf != "none")
            throw new FormatException($"the OpenSSH private key is passphrase-protected (cipher {cipher}, kdf {kdf}); passphrase-protected keys are not supported: remove the passphrase with 'ssh-keygen -p -N \"\" -f <file>'");
        var count = reader.ReadUInt32();
        if (count != 1) throw new FormatException($"the OpenSSH private key file holds {count} keys; exactly one is supported");
        var publicBlob = reader.ReadBinary();
        var section = reader.ReadBinary();
        reader.EnsureEnd();

        if (section.Length % BlockSize != 0) throw new FormatException("OpenSSH private section is not a multiple of the block size");
        var priv = new SshReader(section);
        if (priv.ReadUInt32() != priv.ReadUInt32()) throw new FormatException("OpenSSH private key check integers differ (corrupt or wrongly decrypted)");
        var type = priv.ReadString();
        SshPrivateKey key = type switch
        {
            SshKeyAlgorithms.Ed25519 => ReadEd25519(ref priv),
            SshKeyAlgorithms.Rsa => ReadRsa(ref priv),
            _ => ReadEcdsa(type, ref priv),
        };
        try
        {
            priv.ReadString(); // comment
            var padding = priv.ReadRemaining();
            for (var i = 0; i < padding.Length; i++)
                if (padding[i] != (byte)(i + 1)) throw new FormatException("OpenSSH private key padding is invalid");
            if (!key.PublicKey.Blob.Span.SequenceEqual(publicBlob))
                throw new FormatException("OpenSSH private key does not match its public key");
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static SshPrivateKey ReadEd25519(ref SshReader reader)
    {
        var pk = reader.ReadBinary();
        var sk = reader.ReadBinary();
        if (pk.Length != 32 || sk.Length != 64) throw new FormatException("ed25519 private key has wrong field lengths");
        var key = new Ed25519PrivateKey(sk[..32]);
        if (!sk[32..].SequenceEqual(pk) || !key.PublicKeyTyped.PublicKeyBytes.Span.SequenceEqual(pk))
        {
            key.Dispose();
            throw new FormatException("ed25519 private key does not match its public key");
        }
        return key;
    }

    private static SshPrivateKey ReadEcdsa(string type, ref SshReader reader)
    {
        var curve = EcdsaCurve.FromKeyType(type) ?? throw new FormatException($"unsupported private key type '{PeerText.Sanitize(type)}'");
        if (reader.ReadString() != curve.Identifier) throw new FormatException($"{type} private key names the wrong curve");
        var q = reader.ReadBinary();
        var d = reader.ReadMPIntUnsigned();
        if (q.Length != curve.PointLength || q[0] != 0x04) throw new FormatException($"{type} private key has a malformed public point");
        if (d.Length > curve.FieldSize || d.IsEmpty) throw new FormatException($"{type} private scalar has the wrong size");
        var dPadded = new byte[curve.FieldSize];
        d.CopyTo(dPadded.AsSpan(curve.FieldSize - d.Length));
        var parameters = new ECParameters
        {
            Curve = curve.Curve,
            D = dPadded,
            Q = new ECPoint
            {
                X = q.Slice(1, curve.FieldSize).ToArray(),
                Y = q.Slice(1 + curve.FieldSize, curve.FieldSize).ToArray(),
            },
        };
        try
        {
            return new EcdsaPrivateKey(ECDsa.Create(parameters));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dPadded);
        }
    }

    private static SshPrivateKey ReadRsa(ref SshReader reader)
    {
        var n = reader.ReadMPIntUnsigned().ToArray();
        var e = reader.ReadMPIntUnsigned().ToArray();
        var d = reader.ReadMPIntUnsigned().ToArray();
        var iqmp = reader.ReadMPIntUnsigned().ToArray();
        var p = reader.ReadMPIntUnsigned().ToArray();
        var q = reader.ReadMPIntUnsigned().ToArray();
        if (n.Length == 0 || p.Length == 0 || q.Length == 0) throw new FormatException("RSA private key has empty fields");
        return new RsaPrivateKey(RsaParametersBuilder.FromComponents(n, e, d, p, q, iqmp));
    }

    public static string Write(SshPrivateKey key, string comment)
    {
        // A certified key is stored as its plain key: OpenSSH keeps the certificate in a separate -cert.pub file.
        if (key is SshCertifiedPrivateKey certified) key = certified.InnerKey;
        var check = RandomNumberGenerator.GetBytes(4);
        var section = new ArrayBufferWriter<byte>(1024);
        var w = new SshWriter(section);
        w.WriteRaw(check);
        w.WriteRaw(check);
        WritePrivateFields(key, w);
        w.WriteString(comment);
        for (byte pad = 1; section.WrittenCount % BlockSize != 0; pad++) w.WriteByte(pad);

        var file = new ArrayBufferWriter<byte>(section.WrittenCount + 512);
        var f = new SshWriter(file);
        f.WriteRaw(Magic);
        f.WriteString("none");
        f.WriteString("none");
        f.WriteString("");
        f.WriteUInt32(1);
        f.WriteBinary(key.PublicKey.Blob.Span);
        f.WriteBinary(section.WrittenSpan);
        var text = Pem(PemLabel, file.WrittenSpan);
        // Clear() zeroes the written bytes, so no copy of the private fields outlives this call.
        section.Clear();
        file.Clear();
        return text;
    }

    private static void WritePrivateFields(SshPrivateKey key, SshWriter w)
    {
        switch (key)
        {
            case Ed25519PrivateKey ed:
            {
                var pk = ed.PublicKeyTyped.PublicKeyBytes.Span;
                w.WriteString(SshKeyAlgorithms.Ed25519);
                w.WriteBinary(pk);
                w.WriteUInt32(64);
                w.WriteRaw(ed.Seed);
                w.WriteRaw(pk);
                break;
            }
            case EcdsaPrivateKey ec:
            {
                var d = ec.ExportPrivateScalar();
                w.WriteString(ec.Curve.KeyType);
                w.WriteString(ec.Curve.Identifier);
                w.WriteBinary(ec.PublicKeyTyped.Point.Span);
                w.WriteMPInt(d);
                CryptographicOperations.ZeroMemory(d);
                break;
            }
            case RsaPrivateKey rsa:
            {
                var p = rsa.ExportPrivateParameters();
                w.WriteString(SshKeyAlgorithms.Rsa);
                w.WriteMPInt(p.Modulus);
                w.WriteMPInt(p.Exponent);
                w.WriteMPInt(p.D);
                w.WriteMPInt(p.InverseQ);
                w.WriteMPInt(p.P);
                w.WriteMPInt(p.Q);
                CryptographicOperations.ZeroMemory(p.D);
                CryptographicOperations.ZeroMemory(p.P);
                CryptographicOperations.ZeroMemory(p.Q);
                CryptographicOperations.ZeroMemory(p.DP);
                CryptographicOperations.ZeroMemory(p.DQ);
                CryptographicOperations.ZeroMemory(p.InverseQ);
                break;
            }
            default:
                throw new ArgumentException($"cannot export a {key.GetType().Name}", nameof(key));
        }
    }

    /// <summary>PEM with 70-character lines, as ssh-keygen writes it.</summary>
    private static string Pem(string label, ReadOnlySpan<byte> data)
    {
        var base64 = Convert.ToBase64String(data);
        var sb = new StringBuilder(base64.Length + base64.Length / 70 + 80);
        sb.Append("-----BEGIN ").Append(label).Append("-----\n");
        for (var i = 0; i < base64.Length; i += 70)
            sb.Append(base64, i, Math.Min(70, base64.Length - i)).Append('\n');
        sb.Append("-----END ").Append(label).Append("-----\n");
        return sb.ToString();
    }
}
