using Gateway.Ssh.Kex;

namespace Gateway.Ssh.Tests.Kex;

public class Curve25519Tests
{
    [Theory]
    [InlineData("curve25519-sha256")]
    [InlineData("curve25519-sha256@libssh.org")]
    public void Values_are_32_bytes_and_K_is_an_mpint(string name)
    {
        using var client = KeyExchangeAlgorithms.Create(name);
        using var server = KeyExchangeAlgorithms.Create(name);
        var qc = client.CreateClientValue();
        Assert.Equal(32, qc.Length);
        var (qs, k) = server.RespondToClient(qc);
        Assert.Equal(32, qs.Length);
        // mpint: at most 33 bytes (a leading zero only when the next byte's top bit is set, which
        // can happen at any length: the secret's own leading zero bytes are dropped first).
        var len = (k[0] << 24) | (k[1] << 16) | (k[2] << 8) | k[3];
        Assert.Equal(k.Length - 4, len);
        Assert.InRange(len, 1, 33);
        if (k[4] == 0) Assert.True(len >= 2 && (k[5] & 0x80) != 0, "a leading zero only before a byte with its top bit set");
        else Assert.True((k[4] & 0x80) == 0, "a top bit set needs a leading zero");
    }

    public static IEnumerable<object[]> LowOrderPoints()
    {
        // u = 0 and u = 1 and the order-8 points from RFC 7748 / libsodium's blacklist.
        yield return [new byte[32]];
        var one = new byte[32];
        one[0] = 1;
        yield return [one];
        yield return [Convert.FromHexString("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")];
        yield return [Convert.FromHexString("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157")];
        yield return [Convert.FromHexString("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")];
    }

    [Theory]
    [MemberData(nameof(LowOrderPoints))]
    public void Low_order_public_keys_fail_the_exchange(byte[] point)
    {
        using var server = KeyExchangeAlgorithms.Create("curve25519-sha256");
        var ex = Assert.Throws<SshProtocolException>(() => server.RespondToClient(point));
        Assert.Equal(DisconnectReason.KeyExchangeFailed, ex.Reason);

        using var client = KeyExchangeAlgorithms.Create("curve25519-sha256");
        client.CreateClientValue();
        ex = Assert.Throws<SshProtocolException>(() => client.CompleteAsClient(point));
        Assert.Equal(DisconnectReason.KeyExchangeFailed, ex.Reason);
    }
}
