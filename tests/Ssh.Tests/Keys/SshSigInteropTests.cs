using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Wire;

using Gateway.Testing;

namespace Gateway.Ssh.Tests.Keys;

/// <summary>
/// Cross-checks signatures with OpenSSH itself through its SSHSIG file format (PROTOCOL.sshsig),
/// whose inner signature is the same <c>string alg ‖ string sig</c> blob as in the protocol:
/// ssh-keygen -Y verify accepts our signatures, and we verify signatures from ssh-keygen -Y sign.
/// </summary>
public class SshSigInteropTests
{
    private const string Namespace = "gateway-test";
    private static readonly byte[] Message = Encoding.UTF8.GetBytes("message signed across implementations\n");

    /// <summary>The bytes PROTOCOL.sshsig says are signed.</summary>
    private static byte[] SignedData(string hashAlgorithm) =>
        SshMessageBuilder.Build(w =>
        {
            w.WriteRaw("SSHSIG"u8);
            w.WriteString(Namespace);
            w.WriteString("");
            w.WriteString(hashAlgorithm);
            w.WriteBinary(SHA512.HashData(Message));
        });

    private static string Armor(SshPublicKey key, byte[] signature)
    {
        var body = SshMessageBuilder.Build(w =>
        {
            w.WriteRaw("SSHSIG"u8);
            w.WriteUInt32(1);
            w.WriteBinary(key.Blob.Span);
            w.WriteString(Namespace);
            w.WriteString("");
            w.WriteString("sha512");
            w.WriteBinary(signature);
        });
        var base64 = Convert.ToBase64String(body);
        var sb = new StringBuilder("-----BEGIN SSH SIGNATURE-----\n");
        for (var i = 0; i < base64.Length; i += 70) sb.Append(base64, i, Math.Min(70, base64.Length - i)).Append('\n');
        return sb.Append("-----END SSH SIGNATURE-----\n").ToString();
    }

    /// <summary>Returns (public key blob, signature blob) from an armored SSHSIG file.</summary>
    private static (byte[] PublicKey, byte[] Signature, string Hash) Unarmor(string text)
    {
        var fields = PemEncoding.Find(text);
        var body = Convert.FromBase64String(text[fields.Base64Data]);
        var reader = new SshReader(body);
        Assert.Equal("SSHSIG"u8.ToArray(), reader.ReadBytes(6).ToArray());
        Assert.Equal(1u, reader.ReadUInt32());
        var publicKey = reader.ReadBinary().ToArray();
        Assert.Equal(Namespace, reader.ReadString());
        reader.ReadBinary();
        var hash = reader.ReadString();
        var signature = reader.ReadBinary().ToArray();
        reader.EnsureEnd();
        return (publicKey, signature, hash);
    }

    private static SshKeygen.Result RunWithInput(byte[] input, params string[] arguments)
    {
        var start = new ProcessStartInfo("ssh-keygen") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("ssh-keygen -Y did not finish");
        }
        process.WaitForExit();
        return new SshKeygen.Result(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    public static TheoryData<SshKeyKind> Kinds => [SshKeyKind.Ed25519, SshKeyKind.EcdsaP256, SshKeyKind.EcdsaP384, SshKeyKind.EcdsaP521, SshKeyKind.Rsa];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Ssh_keygen_verifies_our_signatures(SshKeyKind kind)
    {
        using var dir = new TempDirectory();
        using var key = SshKeys.Generate(kind, 2048);
        var signers = dir.File("allowed_signers");
        File.WriteAllText(signers, "signer@example.com " + SshKeys.FormatAuthorizedKey(key.PublicKey) + "\n");

        foreach (var algorithm in key.SignatureAlgorithms)
        {
            var signature = dir.File("msg.sig");
            File.WriteAllText(signature, Armor(key.PublicKey, key.Sign(algorithm, SignedData("sha512"))));
            var ok = RunWithInput(Message, "-Y", "verify", "-f", signers, "-I", "signer@example.com", "-n", Namespace, "-s", signature);
            Assert.True(ok.ExitCode == 0, $"{algorithm}: {ok.StdOut} {ok.StdErr}");

            var tampered = RunWithInput([.. Message, (byte)'!'], "-Y", "verify", "-f", signers, "-I", "signer@example.com", "-n", Namespace, "-s", signature);
            Assert.NotEqual(0, tampered.ExitCode);
        }
    }

    [Theory]
    [InlineData("ed25519", 0, "ssh-ed25519")]
    [InlineData("ecdsa", 384, "ecdsa-sha2-nistp384")]
    [InlineData("rsa", 2048, "rsa-sha2-512")]
    public void We_verify_ssh_keygen_signatures(string type, int bits, string expectedAlgorithm)
    {
        using var dir = new TempDirectory();
        var keyPath = dir.File("id");
        SshKeygen.CreateKey(keyPath, type, bits);
        var messagePath = dir.File("msg");
        File.WriteAllBytes(messagePath, Message);
        SshKeygen.Ok("-Y", "sign", "-f", keyPath, "-n", Namespace, messagePath);

        var (publicKeyBlob, signature, hash) = Unarmor(File.ReadAllText(messagePath + ".sig"));
        var publicKey = SshKeys.ParsePublicKey(publicKeyBlob);
        Assert.Equal(SshKeys.ParseAuthorizedKey(File.ReadAllText(keyPath + ".pub")), publicKey);
        Assert.Equal("sha512", hash);
        Assert.True(publicKey.Verify(expectedAlgorithm, SignedData(hash), signature));
        Assert.False(publicKey.Verify(expectedAlgorithm, SignedData("sha256"), signature));
    }
}
