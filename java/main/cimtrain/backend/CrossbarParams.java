package cimtrain.backend;

/**
 * What a crossbar read needs to know about the periphery and the devices, in the units the kernels use
 * (microsiemens, microamperes, volts). Built from a hardware description by the tile layer.
 *
 * @param tileRows      inputs per tile: partial sums are converted per block of this many rows
 * @param tileOutputs   outputs (column pairs) per tile: the tile scale factors change every this many outputs
 * @param dacBits       input resolution; 0 = exact inputs
 * @param bitSerial     one read per input bit, shifted and added digitally after the ADC
 * @param adcBits       output resolution; 0 = exact read-out
 * @param adcLsbUa      one ADC step, microamperes
 * @param adcNoiseLsb   sigma of the conversion noise, in LSB
 * @param adcClip       currents outside [0, full scale] saturate
 * @param readNoiseUs   sigma of each device's conductance on each read, microsiemens
 * @param readVoltage   the voltage of a full input on a row, volts
 */
public record CrossbarParams(int tileRows, int tileOutputs, int dacBits, boolean bitSerial, int adcBits, double adcLsbUa,
                             double adcNoiseLsb, boolean adcClip, double readNoiseUs, double readVoltage) {

    /** Tiles along the inputs of a k-input layer. */
    public int rowTiles(int k) {
        return (k + tileRows - 1) / tileRows;
    }

    /** Tiles along the outputs of an out-output layer. */
    public int columnTiles(int out) {
        return (out + tileOutputs - 1) / tileOutputs;
    }

    /** Full-scale current of the ADC. */
    public double adcFullScaleUa() {
        return adcLsbUa * ((1L << adcBits) - 1);
    }
}
