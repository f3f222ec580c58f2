using Gateway.Testing;
using System.Diagnostics;
using System.Security.Cryptography;
using Gateway.Node.Tests.Http.Support;

namespace Gateway.Node.Tests.Http;

/// <summary>A 100 MiB file served by a real nginx, downloaded with curl through the gateway; checksums must match.</summary>
public sealed class LargeDownloadTests
{
    [Fact]
    public async Task Download_of_100_MiB_through_the_tunnel_keeps_its_sha256()
    {
        var temp = new TempDirectory();
        var dir = temp.Path;
        Process? nginx = null;
        try
        {
            var root = Path.Combine(dir, "www");
            Directory.CreateDirectory(root);
            var expected = WriteRandomFile(Path.Combine(root, "big.bin"), 100 * 1024 * 1024);
            var port = global::Gateway.Testing.LoopbackPorts.Reserve();
            var conf = Path.Combine(dir, "nginx.conf");
            File.WriteAllText(conf, $$"""
                master_process off;
                worker_processes 1;
                daemon off;
                pid {{dir}}/nginx.pid;
                error_log {{dir}}/error.log warn;
                events { worker_connections 64; }
                http {
                  access_log off;
                  client_body_temp_path {{dir}}/body;
                  proxy_temp_path {{dir}}/proxy;
                  fastcgi_temp_path {{dir}}/fastcgi;
                  uwsgi_temp_path {{dir}}/uwsgi;
                  scgi_temp_path {{dir}}/scgi;
                  server {
                    listen 127.0.0.1:{{port}};
                    root {{root}};
                  }
                }
                """);
            nginx = Process.Start(new ProcessStartInfo("nginx") { ArgumentList = { "-c", conf, "-p", dir }, UseShellExecute = false })!;
            await PortWait.UntilListeningAsync(port, TimeSpan.FromSeconds(10));

            var dialer = new TestTunnelDialer();
            dialer.MapEndpoint("ep1", new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
            await using var gateway = await GatewayTestHost.StartAsync(dialer, [Routes.Public("big", "big.test", "http://localhost:80")]);
            gateway.Config.UpdateEndpoints("big", ["ep1"]);

            var output = Path.Combine(dir, "out.bin");
            var curl = await ProcessRunner.CurlAsync(gateway.CaPath, "big.test", gateway.Port, "/big.bin", "-o", output);
            Assert.Equal(0, curl.ExitCode);
            Assert.EndsWith("200 2", curl.StdOut.Trim());
            Assert.Equal(100L * 1024 * 1024, new FileInfo(output).Length);
            await using var stream = File.OpenRead(output);
            Assert.Equal(expected, Convert.ToHexString(await SHA256.HashDataAsync(stream)));
        }
        finally
        {
            if (nginx is { HasExited: false })
            {
                nginx.Kill(entireProcessTree: true);
                await nginx.WaitForExitAsync();
            }
            nginx?.Dispose();
            temp.Dispose();
        }
    }

    private static string WriteRandomFile(string path, int length)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var file = File.Create(path);
        var random = new Random(1234);
        var buffer = new byte[1024 * 1024];
        for (var written = 0; written < length; written += buffer.Length)
        {
            random.NextBytes(buffer);
            sha.AppendData(buffer);
            file.Write(buffer);
        }
        return Convert.ToHexString(sha.GetHashAndReset());
    }
}
