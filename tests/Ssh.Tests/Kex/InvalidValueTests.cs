using System.Security.Cryptography;
using Gateway.Ssh.Kex;

namespace Gateway.Ssh.Tests.Kex;

public class InvalidValueTests
{
    private static void AssertKexFails(Action action)
    {
        var ex = Assert.Throws<SshProtocolException>(action);
        Assert.Equal(DisconnectReason.KeyExchangeFailed, ex.Reason);
    }

    private static byte[] ValidP256Point()
    {
        using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(false);
        return new byte[] { 4 }.Concat(p.Q.X!).Concat(p.Q.Y!).ToArray();
    }

    [Fact]
    public void P256_off_curve_point_is_rejected()
    {
        var point = ValidP256Point();
        point[64] ^= 1;
        using var server = KeyExchangeAlgorithms.Create("ecdh-sha2-nistp256");
        AssertKexFails(() => server.RespondToClient(point));
        using var client = KeyExchangeAlgorithms.Create("ecdh-sha2-nistp256");
        client.CreateClientValue();
        AssertKexFails(() => client.CompleteAsClient(point));
    }

    [Fact]
    public void P256_compressed_point_is_rejected()
    {
        var point = ValidP256Point();
        var compressed = new byte[33];
        compressed[0] = (byte)(2 | (point[64] & 1));
        point.AsSpan(1, 32).CopyTo(compressed.AsSpan(1));
        using var server = KeyExchangeAlgorithms.Create("ecdh-sha2-nistp256");
        AssertKexFails(() => server.RespondToClient(compressed));
        // The right length with a compressed-point prefix is also refused.
        point[0] = 2;
        using var server2 = KeyExchangeAlgorithms.Create("ecdh-sha2-nistp256");
        AssertKexFails(() => server2.RespondToClient(point));
    }

    [Fact]
    public void P256_unreduced_or_zero_coordinates_are_rejected()
    {
        var allOnes = new byte[65];
        allOnes[0] = 4;
        allOnes.AsSpan(1).Fill(0xff);
        using var a = KeyExchangeAlgorithms.Create("ecdh-sha2-nistp256");
        AssertKexFails(() => a.RespondToClient(allOnes));
        var zero = new byte[65];
        zero[0] = 4;
        using var b = KeyExchangeAlgorithms.Create("ecdh-sha2-nistp256");
        AssertKexFails(() => b.RespondToClient(zero));
    }

    [Fact]
    public void MlKem_hybrid_rejects_all_zero_X25519_share()
    {
        using var client = KeyExchangeAlgorithms.Create("mlkem768x25519-sha256");
        var init = client.CreateClientValue();
        init.AsSpan(1184).Clear();
        using var server = KeyExchangeAlgorithms.Create("mlkem768x25519-sha256");
        AssertKexFails(() => server.RespondToClient(init));

        using var server2 = KeyExchangeAlgorithms.Create("mlkem768x25519-sha256");
        using var client2 = KeyExchangeAlgorithms.Create("mlkem768x25519-sha256");
        var (reply, _) = server2.RespondToClient(client2.CreateClientValue());
        reply.AsSpan(1088).Clear();
        AssertKexFails(() => client2.CompleteAsClient(reply));
    }

    [Fact]
    public void MlKem_hybrid_rejects_encapsulation_key_with_coefficient_out_of_range()
    {
        using var client = KeyExchangeAlgorithms.Create("mlkem768x25519-sha256");
        var init = client.CreateClientValue();
        // First coefficient := 0xfff (>= q).
        init[0] = 0xff;
        init[1] |= 0x0f;
        using var server = KeyExchangeAlgorithms.Create("mlkem768x25519-sha256");
        AssertKexFails(() => server.RespondToClient(init));
    }

    [Fact]
    public void MlKem_hybrid_tampered_ciphertext_gives_different_K()
    {
        using var client = KeyExchangeAlgorithms.Create("mlkem768x25519-sha256");
        using var server = KeyExchangeAlgorithms.Create("mlkem768x25519-sha256");
        var (reply, k) = server.RespondToClient(client.CreateClientValue());
        reply[10] ^= 1;
        Assert.NotEqual(k, client.CompleteAsClient(reply));
    }
}
