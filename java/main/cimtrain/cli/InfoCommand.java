package cimtrain.cli;

import picocli.CommandLine.Command;

import java.lang.management.ManagementFactory;
import java.util.concurrent.Callable;

/** What this machine offers: Java, cores, memory, the backend and its BLAS. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the Java runtime, CPU cores, memory, the CPU backend and its BLAS, and the GPU (name, memory, driver, GEMM) or why there is none.")
public final class InfoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Runtime rt = Runtime.getRuntime();
        System.out.println("cimtrain on " + System.getProperty("os.name") + " " + System.getProperty("os.arch")
                + ", Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        System.out.println("cpu cores: " + rt.availableProcessors() + ", max heap: " + (rt.maxMemory() >> 20) + " MiB"
                + ", physical memory: " + physicalMemoryMiB() + " MiB");
        try (cimtrain.backend.Backend be = cimtrain.backend.Backends.cpu().create(rt.availableProcessors())) {
            be.describe().forEach(System.out::println);
        }
        // the GPU: name, memory, driver and GEMM, or why there is none (never fails: info is for diagnosis)
        cimtrain.backend.Backends.describeGpu().forEach(System.out::println);
        return 0;
    }

    private static long physicalMemoryMiB() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() >> 20;
        }
        return -1;
    }
}
