// Copyright (c) HaCluster contributors. MIT License.
// Placeholder entry point; the emulator issue fills this in.

namespace HaCluster.Emulator;

internal static class Program
{
    private static int Main() => 0;
}
